namespace Vigil.Detection.Rules;

/// <summary>
/// Falco fields Vigil recognises but cannot fill honestly from its event model, each with the
/// reason. Rules using them are skipped, naming the field, rather than silently never matching.
/// </summary>
internal static class UnsupportedFalcoFields
{
    private const string NoImageLayer = "no overlayfs layer or inode information for the executable";
    private const string NoSession = "no session or process-group information in the event model";
    private const string NoSocketState = "network events are per connection or flow; socket state per send is not recorded";
    private const string NoDns = "no DNS resolution of peers";
    private const string NoContainerDetail = "the container resolver provides only id, name, image repository and privileged";
    private const string NotImplemented = "not implemented in Vigil's field registry yet";

    private static readonly (string Prefix, string Reason)[] Families =
    [
        ("evt.arg.", "this syscall argument is not recorded by Vigil's sensors"),
        ("evt.rawarg.", "raw syscall arguments are not recorded by Vigil's sensors"),
        ("evt.arg", "positional syscall arguments (evt.arg[N]) are not recorded by Vigil's sensors"),
        ("evt.rawarg", "positional syscall arguments are not recorded by Vigil's sensors"),
        ("k8s.", "no Kubernetes metadata source"),
        ("k8smeta.", "no Kubernetes metadata source"),
        ("ka.", "Kubernetes audit events are not a Vigil source"),
        ("jevt.", "JSON events are not a Vigil source"),
        ("fs.path.", NotImplemented),
        ("proc.exe_ino", NoImageLayer),
        ("proc.stdin.", "standard stream descriptors are not recorded"),
        ("proc.stdout.", "standard stream descriptors are not recorded"),
        ("proc.stderr.", "standard stream descriptors are not recorded"),
        ("container.mount", NoContainerDetail),
        ("container.image.", NoContainerDetail),
        ("container.", NoContainerDetail),
    ];

    public static string? ReasonForFamily(string name)
    {
        foreach ((string prefix, string reason) in Families)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                return reason;
            }
        }
        return null;
    }

    public static void Register(FieldRegistry r)
    {
        foreach ((string name, FieldType type, string reason) in Fields)
        {
            r.Unsupported(name, type, reason);
        }
    }

    private static readonly (string Name, FieldType Type, string Reason)[] Fields =
    [
        ("user.homedir", FieldType.Text, NotImplemented),
        ("user.shell", FieldType.Text, NotImplemented),
        ("thread.cap_inheritable", FieldType.Text, "the process sensor records the effective and permitted sets only"),
        ("proc.is_exe_upper_layer", FieldType.Bool, NoImageLayer),
        ("proc.is_exe_lower_layer", FieldType.Bool, NoImageLayer),
        ("proc.is_exe_writable", FieldType.Bool, NoImageLayer),
        ("proc.sname", FieldType.Text, NoSession),
        ("proc.sid", FieldType.Number, NoSession),
        ("proc.sid.exe", FieldType.Text, NoSession),
        ("proc.sid.exepath", FieldType.Text, NoSession),
        ("proc.is_sid_leader", FieldType.Bool, NoSession),
        ("proc.vpgid", FieldType.Number, NoSession),
        ("proc.vpgid.name", FieldType.Text, NoSession),
        ("proc.vpgid.exe", FieldType.Text, NoSession),
        ("proc.vpgid.exepath", FieldType.Text, NoSession),
        ("proc.is_vpgid_leader", FieldType.Bool, NoSession),
        ("proc.loginshellid", FieldType.Number, NoSession),
        ("proc.vpid", FieldType.Number, "pid-namespace ids are not recorded"),
        ("proc.pvpid", FieldType.Number, "pid-namespace ids are not recorded"),
        ("thread.vtid", FieldType.Number, "pid-namespace ids are not recorded"),
        ("proc.env", FieldType.Text, "the environment is not recorded"),
        ("proc.aenv", FieldType.Text, "the environment is not recorded"),
        ("proc.exeline", FieldType.Text, NotImplemented),
        ("proc.acmdline", FieldType.Text, NotImplemented),
        ("proc.cmdlenargs", FieldType.Number, NotImplemented),
        ("proc.pid.ts", FieldType.Number, NotImplemented),
        ("proc.ppid.ts", FieldType.Number, NotImplemented),
        ("proc.pidns_init_start_ts", FieldType.Number, "pid-namespace ids are not recorded"),
        ("proc.nthreads", FieldType.Number, "thread counts are not tracked"),
        ("proc.nchilds", FieldType.Number, "thread counts are not tracked"),
        ("proc.fdopencount", FieldType.Number, "descriptor tables are not tracked"),
        ("proc.fdlimit", FieldType.Number, "descriptor tables are not tracked"),
        ("proc.fdusage", FieldType.Number, "descriptor tables are not tracked"),
        ("proc.vmsize", FieldType.Number, "memory usage is not recorded"),
        ("proc.vmrss", FieldType.Number, "memory usage is not recorded"),
        ("proc.vmswap", FieldType.Number, "memory usage is not recorded"),
        ("thread.ismain", FieldType.Bool, NotImplemented),
        ("thread.exectime", FieldType.Number, "CPU time is not recorded"),
        ("thread.totalexectime", FieldType.Number, "CPU time is not recorded"),
        ("thread.cgroups", FieldType.Text, "cgroup paths are not recorded, only the cgroup id"),
        ("thread.cgroup", FieldType.Text, "cgroup paths are not recorded, only the cgroup id"),
        ("thread.pfmajor", FieldType.Number, "page faults are not recorded"),
        ("thread.pfminor", FieldType.Number, "page faults are not recorded"),
        ("evt.args", FieldType.Text, "syscall arguments are recorded as typed event properties, not as Falco's argument text"),
        ("evt.info", FieldType.Text, "syscall arguments are recorded as typed event properties, not as Falco's argument text"),
        ("evt.buffer", FieldType.Text, "I/O buffers are not captured"),
        ("evt.buflen", FieldType.Number, "I/O buffers are not captured"),
        ("evt.is_open_exec", FieldType.Bool, "open intent records read, write, create and truncate only"),
        ("evt.category", FieldType.Text, NotImplemented),
        ("evt.cpu", FieldType.Number, "the CPU of an event is not recorded"),
        ("evt.latency", FieldType.Number, "syscall entry times are not recorded"),
        ("evt.is_io", FieldType.Bool, "read and write syscalls are not captured"),
        ("evt.is_io_read", FieldType.Bool, "read and write syscalls are not captured"),
        ("evt.is_io_write", FieldType.Bool, "read and write syscalls are not captured"),
        ("evt.is_wait", FieldType.Bool, NotImplemented),
        ("evt.is_syslog", FieldType.Bool, NotImplemented),
        ("evt.abspath", FieldType.Text, NotImplemented),
        ("evt.source", FieldType.Text, NotImplemented),
        ("evt.pluginname", FieldType.Text, "plugins are not a Vigil source"),
        ("fd.sip.name", FieldType.Text, NoDns),
        ("fd.cip.name", FieldType.Text, NoDns),
        ("fd.lip.name", FieldType.Text, NoDns),
        ("fd.rip.name", FieldType.Text, NoDns),
        ("fd.connected", FieldType.Bool, NoSocketState),
        ("fd.name_changed", FieldType.Bool, NoSocketState),
        ("fd.is_server", FieldType.Bool, NoSocketState),
        ("fd.sockfamily", FieldType.Text, NotImplemented),
        ("fd.types", FieldType.Text, "descriptor tables are not tracked"),
        ("fd.uid", FieldType.Text, NotImplemented),
        ("fd.containername", FieldType.Text, NotImplemented),
        ("fd.containerdirectory", FieldType.Text, NotImplemented),
        ("fd.proto", FieldType.Text, "port-to-protocol names are not resolved"),
        ("fd.cproto", FieldType.Text, "port-to-protocol names are not resolved"),
        ("fd.sproto", FieldType.Text, "port-to-protocol names are not resolved"),
        ("fd.lproto", FieldType.Text, "port-to-protocol names are not resolved"),
        ("fd.rproto", FieldType.Text, "port-to-protocol names are not resolved"),
        ("fd.dev", FieldType.Number, "device and inode numbers are not recorded"),
        ("fd.dev.major", FieldType.Number, "device and inode numbers are not recorded"),
        ("fd.dev.minor", FieldType.Number, "device and inode numbers are not recorded"),
        ("fd.ino", FieldType.Number, "device and inode numbers are not recorded"),
    ];
}
