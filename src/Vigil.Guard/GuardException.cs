namespace Vigil.Guard;

/// <summary>The guard cannot do what was asked (not attached, unknown interface, foreign state); nothing changed.</summary>
public sealed class GuardException : Exception
{
    public GuardException(string message) : base(message) { }

    public GuardException(string message, Exception inner) : base(message, inner) { }

    public GuardException() { }
}
