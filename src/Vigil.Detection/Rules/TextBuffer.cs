namespace Vigil.Detection.Rules;

/// <summary>
/// A reusable character buffer for field values that do not exist as one string in the event
/// (command lines, fd.name of a socket). Built at most once per event, on first use, and reused
/// across events so evaluation does not allocate.
/// </summary>
internal sealed class TextBuffer
{
    private char[] _chars = new char[256];
    private int _length;

    public bool IsBuilt { get; private set; }

    public ReadOnlyMemory<char> Value => new(_chars, 0, _length);

    public void Invalidate()
    {
        IsBuilt = false;
        _length = 0;
    }

    public void Append(ReadOnlySpan<char> text)
    {
        Ensure(text.Length);
        text.CopyTo(_chars.AsSpan(_length));
        _length += text.Length;
    }

    public void Append(char c)
    {
        Ensure(1);
        _chars[_length++] = c;
    }

    public void Append<T>(T value, string? format = null)
        where T : ISpanFormattable
    {
        int written;
        while (!value.TryFormat(_chars.AsSpan(_length), out written, format, System.Globalization.CultureInfo.InvariantCulture))
        {
            Ensure(_chars.Length);
        }
        _length += written;
    }

    public ReadOnlyMemory<char> Complete()
    {
        IsBuilt = true;
        return Value;
    }

    private void Ensure(int extra)
    {
        if (_length + extra > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _length + extra));
        }
    }
}
