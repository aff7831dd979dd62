using Microsoft.Extensions.Logging;
using Vigil.Bpf;

namespace Vigil.Agent.Host;

public static class Logging
{
    /// <summary>Logs go to stderr so stdout carries only events; libbpf's messages join them.</summary>
    public static ILoggerFactory Create(LogLevel level)
    {
        ILoggerFactory factory = LoggerFactory.Create(b => b
            .SetMinimumLevel(level)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            })
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
        LibbpfLog.Use(factory.CreateLogger("libbpf"));
        return factory;
    }
}
