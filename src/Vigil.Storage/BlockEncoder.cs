using System.Buffers;
using System.Text;
using System.Text.Json;
using Vigil.Events;
using ZstdSharp;

namespace Vigil.Storage;

/// <summary>
/// Renders a block's events as JSON, packs and compresses them (zstd): the CPU-heavy part of writing
/// events, which needs no database, so a batch's blocks are encoded on more than one thread.
/// One encoder per thread.
/// </summary>
internal sealed class BlockEncoder : IDisposable
{
    private readonly ArrayBufferWriter<byte> _json = new(2048);
    private readonly Utf8JsonWriter _jsonWriter;
    private readonly MemoryStream _raw = new();
    private readonly BinaryWriter _packer;
    private readonly Compressor _compressor = new(EventBlock.CompressionLevel);
    private byte[] _compressed = [];

    public BlockEncoder()
    {
        _jsonWriter = new Utf8JsonWriter(_json, BatchPreparer.JsonOptions);
        _packer = new BinaryWriter(_raw, Encoding.UTF8, leaveOpen: true);
    }

    /// <summary>Sets the block's <see cref="EventBlock.Data"/>.</summary>
    public void Encode(EventBlock block)
    {
        _raw.SetLength(0);
        foreach ((VigilEvent e, string type, long time, string? container) in block.Events)
        {
            _json.ResetWrittenCount();
            _jsonWriter.Reset();
            EventJson.Write(_jsonWriter, e);
            _jsonWriter.Flush();
            EventBlock.Pack(_packer, time, e.Process.Pid, type, e.Process.ExecId, container, _json.WrittenSpan);
        }
        _packer.Flush();
        ReadOnlySpan<byte> raw = _raw.GetBuffer().AsSpan(0, (int)_raw.Length);
        int bound = Compressor.GetCompressBound(raw.Length);
        if (_compressed.Length < bound)
        {
            _compressed = new byte[bound];
        }
        block.Data = _compressed.AsSpan(0, _compressor.Wrap(raw, _compressed)).ToArray();
    }

    public void Dispose()
    {
        _jsonWriter.Dispose();
        _packer.Dispose();
        _compressor.Dispose();
    }
}
