using System.CommandLine;
using System.CommandLine.Parsing;
using Vigil.Agent.Api;

namespace Vigil.Agent.Commands;

/// <summary>How CLI commands that talk to a running agent find it: its API address and token file.</summary>
public static class ApiArguments
{
    public static Option<Uri> Url(string description) => new("--api-url")
    {
        Description = description,
        DefaultValueFactory = _ => new Uri($"http://{ApiOptions.DefaultListen}"),
        CustomParser = ParseUrl,
        Recursive = true,
    };

    public static Option<string> TokenFile() => new("--api-token-file")
    {
        Description = "The running agent's API token file",
        DefaultValueFactory = _ => ApiOptions.DefaultTokenFile,
        Recursive = true,
    };

    private static Uri? ParseUrl(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (Uri.TryCreate(text, UriKind.Absolute, out Uri? url))
        {
            return url;
        }
        result.AddError($"'{text}' is not an absolute URL (http://127.0.0.1:7878)");
        return null;
    }
}
