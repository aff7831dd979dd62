using Vigil.Events;

namespace Vigil.Detection.Rules;

/// <summary>
/// The proc.* and thread.* fields. The acting process's image and arguments come from the exec
/// event itself for execs and from the enrichment context otherwise; parents and ancestors come
/// from the context's Parent chain.
/// </summary>
internal static class ProcessFields
{
    /// <summary>Bounds walks up the Parent chain, which enrichment could in principle leave cyclic.</summary>
    private const int MaxAncestorDepth = 64;

    public static void Register(FieldRegistry r)
    {
        r.Text("proc.name", "Process.Comm (the kernel's task name, 15 characters at most, as in Falco)", c => c.Event.Process.Comm.AsMemory());
        r.Text("proc.exe", "argv[0]: exec Args[0], else Context.Args[0]; Binary when there are no args", c => FirstArgument(Args(c), Binary(c)));
        r.Text("proc.exepath", "exec Binary, else Context.Binary", c => FieldValues.Text(Binary(c)));
        r.Text("proc.args", "arguments after argv[0], space-joined", ArgsText);
        r.Text("proc.cmdline", "proc.name followed by proc.args, as Falco builds it", CommandLine);
        r.Number("proc.cmdnargs", "number of arguments after argv[0]", c => Args(c) is { } a ? Math.Max(0, a.Count - 1) : null);
        r.Number("proc.pid", "Process.Pid", c => c.Event.Process.Pid);
        r.Number("proc.ppid", "Process.ParentPid", c => c.Event.Process.ParentPid);
        r.Number("thread.tid", "Process.Tid", c => c.Event.Process.Tid);
        r.Text("proc.pname", "Context.Parent.Comm", c => Name(c.Event.Context?.Parent));
        r.Text("proc.pexe", "Context.Parent.Args[0]", c => c.Event.Context?.Parent is { } p ? FirstArgument(p.Args, p.Binary) : FieldValues.NoText);
        r.Text("proc.pexepath", "Context.Parent.Binary", c => FieldValues.Text(c.Event.Context?.Parent?.Binary));
        r.Text("proc.pcmdline", "Context.Parent: name and arguments", ParentCommandLine);
        r.Number("proc.duration", "event Timestamp minus Context.StartTime, in nanoseconds", c => Age(c.Event.Context, c.Event.Timestamp));
        r.Number("proc.ppid.duration", "event Timestamp minus Context.Parent.StartTime, in nanoseconds", c => Age(c.Event.Context?.Parent, c.Event.Timestamp));
        r.Add("proc.aname", FieldType.Text, "[0] the process, [N] the Nth ancestor's Comm via Context.Parent; bare: any ancestor", AncestorName, FieldShape.AncestorIndexed);
        r.Add("proc.aexepath", FieldType.Text, "Binary of the Nth ancestor; bare: any ancestor", AncestorExePath, FieldShape.AncestorIndexed);
        r.Add("proc.aexe", FieldType.Text, "argv[0] of the Nth ancestor; bare: any ancestor", AncestorExe, FieldShape.AncestorIndexed);
        r.Add("proc.apid", FieldType.Number, "Pid of the Nth ancestor; bare: any ancestor", AncestorPid, FieldShape.AncestorIndexed);
    }

    private static string? Binary(EventContext c) =>
        c.Event is ProcessExecEvent exec ? exec.Binary : NullIfEmpty(c.Event.Context?.Binary);

    private static IReadOnlyList<string>? Args(EventContext c) =>
        c.Event is ProcessExecEvent exec ? exec.Args : c.Event.Context?.Args;

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static ReadOnlyMemory<char>? FirstArgument(IReadOnlyList<string>? args, string? binary) =>
        args is { Count: > 0 } ? args[0].AsMemory() : FieldValues.Text(NullIfEmpty(binary));

    private static ReadOnlyMemory<char>? Name(ProcessInfo? process) =>
        process is null ? FieldValues.NoText
        : process.Comm.Length > 0 ? process.Comm.AsMemory()
        : BaseName(process.Binary);

    private static ReadOnlyMemory<char> BaseName(string path) => path.AsMemory(path.LastIndexOf('/') + 1);

    private static ReadOnlyMemory<char>? ArgsText(EventContext c)
    {
        if (c.Arguments.IsBuilt)
        {
            return c.Arguments.Value;
        }
        if (Args(c) is not { } args)
        {
            return null;
        }
        AppendArguments(c.Arguments, args);
        return c.Arguments.Complete();
    }

    private static ReadOnlyMemory<char>? CommandLine(EventContext c)
    {
        if (c.CommandLine.IsBuilt)
        {
            return c.CommandLine.Value;
        }
        c.CommandLine.Append(c.Event.Process.Comm);
        if (Args(c) is { Count: > 1 } args)
        {
            c.CommandLine.Append(' ');
            AppendArguments(c.CommandLine, args);
        }
        return c.CommandLine.Complete();
    }

    private static ReadOnlyMemory<char>? ParentCommandLine(EventContext c)
    {
        if (c.ParentCommandLine.IsBuilt)
        {
            return c.ParentCommandLine.Value;
        }
        ProcessInfo? parent = c.Event.Context?.Parent;
        if (parent is null || Name(parent) is not { } name)
        {
            return null;
        }
        c.ParentCommandLine.Append(name.Span);
        if (parent.Args.Count > 1)
        {
            c.ParentCommandLine.Append(' ');
            AppendArguments(c.ParentCommandLine, parent.Args);
        }
        return c.ParentCommandLine.Complete();
    }

    private static void AppendArguments(TextBuffer buffer, IReadOnlyList<string> args)
    {
        for (int i = 1; i < args.Count; i++)
        {
            if (i > 1)
            {
                buffer.Append(' ');
            }
            buffer.Append(args[i]);
        }
    }

    private static long? Age(ProcessInfo? process, DateTime now) =>
        process is null || process.StartTime == default ? null : (now - process.StartTime).Ticks * 100;

    /// <summary>Index 0 is the process itself, 1 its parent, and so on; null past the known chain.</summary>
    private static ProcessInfo? Ancestor(EventContext c, int index)
    {
        ProcessInfo? process = c.Event.Context;
        for (int i = 0; i < index && process is not null; i++)
        {
            process = i < MaxAncestorDepth ? process.Parent : null;
        }
        return process;
    }

    public static ReadOnlyMemory<char>? AncestorName(EventContext c, int index) =>
        index == 0 ? c.Event.Process.Comm.AsMemory() : Name(Ancestor(c, index));

    public static ReadOnlyMemory<char>? AncestorExePath(EventContext c, int index) =>
        index == 0 ? FieldValues.Text(Binary(c)) : Ancestor(c, index) is { } p ? p.Binary.AsMemory() : FieldValues.NoText;

    public static ReadOnlyMemory<char>? AncestorExe(EventContext c, int index) =>
        index == 0 ? FirstArgument(Args(c), Binary(c)) : Ancestor(c, index) is { } p ? FirstArgument(p.Args, p.Binary) : FieldValues.NoText;

    public static long? AncestorPid(EventContext c, int index) =>
        index == 0 ? c.Event.Process.Pid : Ancestor(c, index)?.Pid;
}
