namespace Vigil.Agent.Config;

/// <summary>A configuration that cannot be used: the message names the key and where it was set (FILE:LINE:COL, or the environment variable).</summary>
public sealed class ConfigException(string message) : Exception(message);
