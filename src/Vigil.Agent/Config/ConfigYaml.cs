using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Vigil.Agent.Config;

/// <summary>The effective configuration as a YAML file <c>--config</c> would take, each value commented with where it came from.</summary>
internal static class ConfigYaml
{
    public static void Write(TextWriter target, RunConfiguration configuration)
    {
        var emitter = new Emitter(target);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        emitter.Emit(new MappingStart());
        foreach (IGrouping<string, (RunSetting Setting, IReadOnlyList<string> Values, string Source)> section in
            configuration.Effective().GroupBy(e => e.Setting.Key[..e.Setting.Key.IndexOf('.', StringComparison.Ordinal)]))
        {
            emitter.Emit(new Scalar(section.Key));
            emitter.Emit(new MappingStart());
            foreach ((RunSetting setting, IReadOnlyList<string> values, string source) in section)
            {
                emitter.Emit(new Scalar(setting.Key[(section.Key.Length + 1)..]));
                if (setting.List)
                {
                    emitter.Emit(new SequenceStart(null, null, true, SequenceStyle.Flow));
                    foreach (string value in values)
                    {
                        emitter.Emit(new Scalar(value));
                    }
                    emitter.Emit(new SequenceEnd());
                }
                else
                {
                    // Unset is YAML's null, which the file takes as "not set".
                    emitter.Emit(values.Count == 0 ? new Scalar(null, null, "~", ScalarStyle.Plain, true, false) : new Scalar(values[0]));
                }
                emitter.Emit(new Comment(source, true));
            }
            emitter.Emit(new MappingEnd());
        }
        emitter.Emit(new MappingEnd());
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        target.WriteLine();
    }
}
