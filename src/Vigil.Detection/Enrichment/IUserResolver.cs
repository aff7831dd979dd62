namespace Vigil.Detection.Enrichment;

/// <summary>Maps numeric user and group ids to names.</summary>
public interface IUserResolver
{
    string? UserName(uint uid);

    string? GroupName(uint gid);
}
