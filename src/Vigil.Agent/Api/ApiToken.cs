using System.Security.Cryptography;
using System.Text;

namespace Vigil.Agent.Api;

/// <summary>
/// The bearer token of the local API: random, kept in a file only root can read (0600), created
/// on first start and reused afterwards so the CLI and scripts can read it.
/// </summary>
public sealed class ApiToken
{
    private readonly byte[] _value;

    private ApiToken(string value)
    {
        _value = Encoding.ASCII.GetBytes(value);
    }

    public static ApiToken LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            string existing = File.ReadAllText(path).Trim();
            if (existing.Length >= 32)
            {
                return new ApiToken(existing);
            }
            throw new IOException($"API token file {path} holds no token (32 characters or more): remove it to get a new one");
        }
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }
        string token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using (var file = new StreamWriter(path, Encoding.ASCII, options))
        {
            file.WriteLine(token);
        }
        return new ApiToken(token);
    }

    /// <summary>True for an <c>Authorization: Bearer TOKEN</c> header with this token (compared in constant time).</summary>
    public bool Accepts(string? authorization)
    {
        const string scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        byte[] offered = Encoding.ASCII.GetBytes(authorization[scheme.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(offered, _value);
    }
}
