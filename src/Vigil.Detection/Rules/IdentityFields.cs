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
        r.Text("container.id", "IContainerResolver(Process.CgroupId).Id; 'host' outside containers", c => c.Environment.Containers.Resolve(c.Event.Process.CgroupId).Id.AsMemory());
        r.Text("container.name", "IContainerResolver(Process.CgroupId).Name; 'host' outside containers", c => c.Environment.Containers.Resolve(c.Event.Process.CgroupId).Name.AsMemory());
        r.Text("container.image.repository", "IContainerResolver(Process.CgroupId).ImageRepository; missing on the host", c => FieldValues.Text(c.Environment.Containers.Resolve(c.Event.Process.CgroupId).ImageRepository));
        r.Bool("container.privileged", "IContainerResolver(Process.CgroupId).Privileged; missing on the host", c => c.Environment.Containers.Resolve(c.Event.Process.CgroupId).Privileged);
    }
}
