using System.CommandLine;
using Vigil.Agent.Output;

namespace Vigil.Agent.Commands;

/// <summary>The JSON lines file sink's options of <c>vigil run</c>; without --jsonl there is no such sink.</summary>
internal sealed class JsonLinesArguments
{
    private readonly Option<string?> _path = new("--jsonl") { Description = "Append detections and incidents to this file as JSON lines, rotated and gzip-compressed" };
    private readonly Option<long?> _maxSize = new("--jsonl-max-size") { Description = "Rotate the JSON lines file before it passes this size (default 100M)", CustomParser = Sizes.Parse };
    private readonly Option<TimeSpan?> _maxAge = new("--jsonl-max-age") { Description = "Rotate the JSON lines file after this long (default 1h)", CustomParser = Durations.Parse };
    private readonly Option<int?> _keep = new("--jsonl-keep") { Description = "Rotated JSON lines files kept (default 10)" };
    private readonly Option<bool> _events = new("--jsonl-events") { Description = "Write every event to the JSON lines file too, not only detections and incidents" };
    private readonly Option<int?> _queue = new("--jsonl-queue") { Description = "Records waiting for the JSON lines file before new ones are dropped and counted (default 16384)" };

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { _path, _maxSize, _maxAge, _keep, _events, _queue })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The sink's settings over the defaults, or null without --jsonl.</summary>
    public JsonLinesFileOptions? Read(ParseResult result)
    {
        if (result.GetValue(_path) is not { } path)
        {
            return null;
        }
        var defaults = new JsonLinesFileOptions { Path = path };
        return defaults with
        {
            MaxBytes = result.GetValue(_maxSize) ?? defaults.MaxBytes,
            MaxAge = result.GetValue(_maxAge) ?? defaults.MaxAge,
            Keep = result.GetValue(_keep) ?? defaults.Keep,
            Events = result.GetValue(_events),
            QueueCapacity = result.GetValue(_queue) ?? defaults.QueueCapacity,
        };
    }
}
