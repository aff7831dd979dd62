using System.Globalization;
using System.IO.Compression;
using Vigil.Agent.Pipeline;
using Vigil.Events;

namespace Vigil.Agent.Output;

/// <summary>
/// Detections, incidents (and events when asked) appended to a file as JSON lines, the attribute
/// names of docs/events.md. The file is rotated by size and by age: renamed with its rotation time
/// (<c>vigil-20261206T104500123Z.jsonl</c>), gzip-compressed, and the oldest rotated files beyond
/// <see cref="JsonLinesFileOptions.Keep"/> deleted. A full or failing disk loses records of this sink
/// only (counted), never stalls the others.
/// </summary>
public sealed class JsonLinesFileSink : ConclusionQueue
{
    private const string TimeFormat = "yyyyMMdd'T'HHmmssfff'Z'";
    private const int TimeFormatLength = 19;

    private readonly JsonLinesFileOptions _options;
    private readonly JsonLinesFormatter _formatter = new();
    private readonly string _directory;
    private readonly string _stem;
    private readonly string _extension;
    private FileStream? _file;
    private long _size;
    private DateTime _opened;
    private int _unflushed;
    private long _rotations;

    public JsonLinesFileSink(JsonLinesFileOptions options)
        : base("jsonl", options.QueueCapacity)
    {
        options.Validate();
        _options = options;
        string full = System.IO.Path.GetFullPath(options.Path);
        _directory = System.IO.Path.GetDirectoryName(full)!;
        _stem = System.IO.Path.GetFileNameWithoutExtension(full);
        _extension = System.IO.Path.GetExtension(full);
        Directory.CreateDirectory(_directory);
        CompressLeftovers();
        // A previous run's file becomes a rotated file of its own: each file is one run's, from its start.
        // Length follows a symbolic link to what it names: a device or a FIFO has none and is never rotated.
        var existing = new FileInfo(full);
        if (existing.Exists && (existing.ResolveLinkTarget(returnFinalTarget: true) ?? existing) is FileInfo { Length: > 0 })
        {
            Rotate(DateTime.UtcNow);
        }
        StartDraining();
    }

    /// <summary>The file being written.</summary>
    public string Path => _options.Path;

    /// <summary>Files rotated (and compressed) by this sink.</summary>
    public long Rotations => Interlocked.Read(ref _rotations);

    /// <summary>The compressed rotated files beside <see cref="Path"/>, oldest first.</summary>
    public IReadOnlyList<string> RotatedFiles() => [.. Rotated(_extension + ".gz").Order(StringComparer.Ordinal)];

    /// <summary>Files beside the written one named STEM-TIME<paramref name="suffix"/>.</summary>
    private IEnumerable<string> Rotated(string suffix) =>
        Directory.EnumerateFiles(_directory, $"{_stem}-*").Where(f =>
        {
            string name = System.IO.Path.GetFileName(f);
            return name.EndsWith(suffix, StringComparison.Ordinal) && name.Length == _stem.Length + 1 + TimeFormatLength + suffix.Length;
        });

    protected override bool Wants(object record) => _options.Events || record is not VigilEvent;

    protected override ValueTask WriteAsync(IReadOnlyList<object> batch)
    {
        DateTime now = DateTime.UtcNow;
        int taken = 0;
        try
        {
            foreach (object record in batch)
            {
                ReadOnlyMemory<byte> line = _formatter.Utf8(record);
                FileStream file = FileFor(line.Length + 1, now);
                file.Write(line.Span);
                file.WriteByte((byte)'\n');
                _size += line.Length + 1;
                _unflushed++;
                taken++;
            }
            _file?.Flush();
            _unflushed = 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // What was not flushed yet is lost with the rest of the batch; the next batch opens the file again.
            CountFailed(_unflushed + (batch.Count - taken));
            try
            {
                Close();
            }
            catch (IOException)
            {
                // The buffered lines it could not flush are among those just counted.
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The open file, rotated first when this line would take it past its size or it is past its age.
    /// A FIFO (a pipe to another program) is written, never rotated.
    /// </summary>
    private FileStream FileFor(int bytes, DateTime now)
    {
        if (_file is { CanSeek: true } && _size > 0 && (_size + bytes > _options.MaxBytes || now - _opened >= _options.MaxAge))
        {
            Close();
            Rotate(now);
        }
        if (_file is null)
        {
            _file = new FileStream(_options.Path, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16);
            _size = _file.CanSeek ? _file.Length : 0;
            _opened = now;
        }
        return _file;
    }

    private void Close()
    {
        FileStream? file = _file;
        _file = null;
        _unflushed = 0; // before Dispose: a flush that fails there must not leave them to be counted again with the next batch
        file?.Dispose();
    }

    /// <summary>Renames the file with its rotation time, compresses it and keeps only the newest rotated files.</summary>
    private void Rotate(DateTime now)
    {
        string rotated;
        // Names sort by time; two rotations in one millisecond get successive milliseconds.
        for (DateTime at = now; ; at = at.AddMilliseconds(1))
        {
            rotated = System.IO.Path.Combine(_directory, $"{_stem}-{at.ToString(TimeFormat, CultureInfo.InvariantCulture)}{_extension}");
            if (!File.Exists(rotated) && !File.Exists(rotated + ".gz"))
            {
                break;
            }
        }
        File.Move(_options.Path, rotated);
        Compress(rotated);
        Interlocked.Increment(ref _rotations);
        foreach (string old in RotatedFiles().SkipLast(_options.Keep))
        {
            File.Delete(old);
        }
    }

    /// <summary>Writes FILE.gz beside FILE (under a temporary name until complete), then deletes FILE.</summary>
    private static void Compress(string file)
    {
        string partial = file + ".gz.tmp";
        using (FileStream source = File.OpenRead(file))
        using (FileStream target = File.Create(partial))
        using (var gzip = new GZipStream(target, CompressionLevel.Optimal))
        {
            source.CopyTo(gzip);
        }
        File.Move(partial, file + ".gz");
        File.Delete(file);
    }

    /// <summary>A run killed while rotating leaves a renamed file not yet compressed, or a partial .gz: finish the first, drop the second.</summary>
    private void CompressLeftovers()
    {
        foreach (string partial in Rotated(_extension + ".gz.tmp").ToList())
        {
            File.Delete(partial);
        }
        foreach (string rotated in Rotated(_extension).ToList())
        {
            Compress(rotated);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync().ConfigureAwait(false);
        Close();
    }
}
