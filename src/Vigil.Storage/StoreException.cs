namespace Vigil.Storage;

/// <summary>The store cannot be opened or read: names the file and, for a bad record, the table and row.</summary>
public sealed class StoreException(string message, Exception? inner = null) : Exception(message, inner);
