using Vigil.Events;

namespace Vigil.Detection.Rules;

/// <summary>The user.*, group.* and container.* fields: who acted and where.</summary>
internal static class IdentityFields
{
    public static void Register(FieldRegistry r)
    {
        r.Number("user.uid", "Process.Uid", c => c.Event.Process.Uid);
        r.Text("user.name", "Process.Uid resolved through /etc/passwd (cached)", c => FieldValues.Text(c.Environment.Users.UserName(c.Event.Process.Uid)));
        r.Number("group.gid", "Process.Gid", c => c.Event.Process.Gid);
        r.Text("group.name", "Process.Gid resolved through /etc/group (cached)", c => FieldValues.Text(c.Environment.Users.GroupName(c.Event.Process.Gid)));
        r.Text("container.id", "enrichment: 12-character id from the cgroup path; 'host' outside containers; missing while unknown", c => FieldValues.Text(c.Event.Context?.Container?.ShortId));
        r.Text("container.name", "enrichment: 'host' on the host, the machine name for systemd-nspawn; missing otherwise (no runtime API is queried)", c => FieldValues.Text(ContainerName(c.Event.Context?.Container)));
        r.Text("container.image.repository", "missing: Vigil reads containers from cgroups and queries no runtime API", _ => default);
        r.Bool("container.privileged", "missing: Vigil reads containers from cgroups and queries no runtime API", _ => null);
    }

    private static string? ContainerName(ContainerInfo? container) => container switch
    {
        null => null,
        { IsHost: true } => "host",
        _ => container.Name,
    };
}
