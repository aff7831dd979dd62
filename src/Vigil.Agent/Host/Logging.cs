using Microsoft.Extensions.Logging;
using Vigil.Bpf;

namespace Vigil.Agent.Host;

public static class Logging
{
    /// <summary>Logs go to stderr so stdout carries only events; libbpf's messages join them.</summary>
    public static ILoggerFactory Create(LogLevel level)
    {
        ILoggerFactory factory = LoggerFactory.Create(b => Configure(b, level));
        LibbpfLog.Use(factory.CreateLogger("libbpf"));
        return factory;
    }

    /// <summary>One line per message on stderr, for the agent's own logs and the API server's.</summary>
    public static ILoggingBuilder Configure(ILoggingBuilder builder, LogLevel level) => builder
        .SetMinimumLevel(level)
        .AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        })
        .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
}
