using System.Text.Json;

namespace Vigil.Agent.Output;

/// <summary>The one-line gist of a stored event's JSON, by event family (what `vigil run -o table` shows as DETAIL).</summary>
internal static class EventDetail
{
    public static string Describe(JsonElement e)
    {
        string name = Text(e, "event.name");
        return name switch
        {
            "process.exec" => Text(e, "process.command_line"),
            "process.fork" => $"child {Number(e, "vigil.child.pid")}",
            "process.exit" => Number(e, "vigil.exit.signal") is var signal and not "0" ? $"killed by signal {signal}" : $"exit {Number(e, "process.exit.code")}",
            "xdp.ban" => $"xdp ban {Text(e, "vigil.xdp.network")}",
            _ when name.StartsWith("file.", StringComparison.Ordinal) => Text(e, "file.path") + (Text(e, "vigil.file.target_path") is { Length: > 0 } target ? " -> " + target : ""),
            _ when name.StartsWith("network.", StringComparison.Ordinal) =>
                $"{Text(e, "source.address")}:{Number(e, "source.port")} -> {Text(e, "destination.address")}:{Number(e, "destination.port")}",
            _ when name.StartsWith("privilege.", StringComparison.Ordinal) => Text(e, "vigil.privilege.name"),
            _ => "",
        };
    }

    public static string Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    public static string Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number ? value.GetRawText() : "";
}
