using System.CommandLine;
using Vigil.Agent.Api;
using Vigil.Agent.Host;
using Vigil.Enrichment.Containers;
using Vigil.Policy;

namespace Vigil.Agent.Commands;

/// <summary>
/// <c>vigil policy validate FILE...</c> (alias <c>check</c>): validates policy files, alone and as one
/// set, against this host; <c>apply FILE</c>, <c>delete NAME</c>: change the running agent's
/// policies through its local API; <c>list</c>: the running agent's policies, or a directory's.
/// </summary>
public static class PolicyCommand
{
    private static readonly Option<Uri> s_apiUrl = ApiArguments.Url("The running agent's API");

    private static readonly Option<string> s_apiToken = ApiArguments.TokenFile();

    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "Policy files (YAML), checked one by one and then as one set", Arity = ArgumentArity.OneOrMore };
        var validate = new Command("validate", "Validate policy files; every problem with file:line:col and the reason") { files };
        validate.Aliases.Add("check");
        validate.SetAction(result => Validate(result.GetValue(files)!));

        var file = new Argument<string>("FILE") { Description = "Policy file (YAML)" };
        var apply = new Command("apply", "Put a policy in force in the running agent (or replace the one of its name); nothing changes when it has any problem") { file };
        apply.SetAction((result, _) => ApplyAsync(result, result.GetValue(file)!));

        var name = new Argument<string>("NAME") { Description = "Policy name" };
        var delete = new Command("delete", "Remove a policy `vigil policy apply` put in force in the running agent") { name };
        delete.SetAction((result, _) => DeleteAsync(result, result.GetValue(name)!));

        var directory = new Option<string?>("--policies") { Description = "List this policy directory instead of the running agent's policies" };
        var list = new Command("list", "List the policies in force in the running agent (without one: the shipped policies/): name, mode, rules, origin, file") { directory };
        list.SetAction((result, _) => ListAsync(result, result.GetValue(directory)));
        return new Command("policy", "Policies: what the kernel filters, counts and enforces") { s_apiUrl, s_apiToken, validate, apply, delete, list };
    }

    private static int Validate(IEnumerable<string> paths)
    {
        var policies = new List<PolicyDocument>();
        bool ok = true;
        foreach (string path in paths)
        {
            if (Read(path, Console.Out) is { } policy)
            {
                policies.Add(policy);
                Console.WriteLine($"{path}: ok: policy {policy.Name}, {Mode(policy)}, {policy.Rules.Count} rules");
            }
            else
            {
                ok = false;
            }
        }
        if (!ok)
        {
            return ExitCodes.Failure;
        }
        try
        {
            CompiledPolicies compiled = new PolicyCompiler(new CgroupDirectory().IdOfPath).Compile(policies);
            Console.WriteLine($"set: ok: {compiled.RulesOf(EventFamily.File).Count} file, {compiled.RulesOf(EventFamily.Privilege).Count} privilege, {compiled.Network.Rules.Count} network rules");
            return ExitCodes.Ok;
        }
        catch (PolicyException ex)
        {
            Console.WriteLine(ex.Message);
            return ExitCodes.Failure;
        }
    }

    private static async Task<int> ApplyAsync(ParseResult result, string path)
    {
        if (Read(path, Console.Error) is not { } policy)
        {
            return ExitCodes.Failure;
        }
        using AgentApiClient? agent = await RunningAgent(result).ConfigureAwait(false);
        if (agent is null)
        {
            return NoAgent(result);
        }
        return await Refusable(async () =>
        {
            bool replaced = await agent.ApplyPolicyAsync(policy.Name, await File.ReadAllTextAsync(path).ConfigureAwait(false), Path.GetFullPath(path)).ConfigureAwait(false);
            Console.WriteLine($"{(replaced ? "replaced" : "applied")}: policy {policy.Name}, {Mode(policy)}, {policy.Rules.Count} rules, in force in the agent at {agent.BaseAddress}");
            return ExitCodes.Ok;
        }).ConfigureAwait(false);
    }

    private static async Task<int> DeleteAsync(ParseResult result, string name)
    {
        using AgentApiClient? agent = await RunningAgent(result).ConfigureAwait(false);
        if (agent is null)
        {
            return NoAgent(result);
        }
        return await Refusable(async () =>
        {
            if (!await agent.DeletePolicyAsync(name).ConfigureAwait(false))
            {
                await Console.Error.WriteLineAsync($"vigil policy delete: no policy {name} in force").ConfigureAwait(false);
                return ExitCodes.Failure;
            }
            Console.WriteLine($"deleted: policy {name}");
            return ExitCodes.Ok;
        }).ConfigureAwait(false);
    }

    private static async Task<int> ListAsync(ParseResult result, string? directory)
    {
        if (directory is null)
        {
            using AgentApiClient? agent = await RunningAgent(result).ConfigureAwait(false);
            if (agent is not null)
            {
                return await Refusable(async () =>
                {
                    Console.WriteLine($"{"POLICY",-24} {"MODE",-8} {"RULES",5}  {"ORIGIN",-9} FILE");
                    foreach (PolicySummary p in await agent.PoliciesAsync().ConfigureAwait(false))
                    {
                        Console.WriteLine($"{p.Name,-24} {p.Mode,-8} {p.Rules,5}  {p.Origin,-9} {p.Source}");
                    }
                    return ExitCodes.Ok;
                }).ConfigureAwait(false);
            }
            directory = new AgentOptions().PolicyDirectory;
            await Console.Error.WriteLineAsync($"no agent answers at {result.GetValue(s_apiUrl)}: the policies of {directory}").ConfigureAwait(false);
        }
        return ListDirectory(directory);
    }

    private static int ListDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            Console.Error.WriteLine($"vigil policy list: {directory} does not exist");
            return ExitCodes.Usage;
        }
        int status = ExitCodes.Ok;
        Console.WriteLine($"{"POLICY",-24} {"MODE",-8} {"RULES",5}  FILE");
        foreach (string file in PolicyDirectory.Files(directory))
        {
            try
            {
                PolicyDocument policy = PolicyReader.ReadFile(file);
                Console.WriteLine($"{policy.Name,-24} {Mode(policy),-8} {policy.Rules.Count,5}  {file}");
            }
            catch (PolicyException ex)
            {
                status = ExitCodes.Failure;
                Console.WriteLine($"{"(invalid)",-24} {"",-8} {"",5}  {file}: {ex.Problems.FirstOrDefault()?.Message ?? ex.Message}");
            }
        }
        return status;
    }

    /// <summary>The policy of one file, or null after writing each of its problems (file:line:col: reason).</summary>
    private static PolicyDocument? Read(string path, TextWriter problems)
    {
        try
        {
            return PolicyReader.ReadFile(path);
        }
        catch (PolicyException ex)
        {
            problems.WriteLine(ex.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.WriteLine($"{path}: {ex.Message}");
        }
        return null;
    }

    private static Task<AgentApiClient?> RunningAgent(ParseResult result) =>
        AgentApiClient.ConnectAsync(result.GetValue(s_apiUrl)!, result.GetValue(s_apiToken)!);

    private static int NoAgent(ParseResult result)
    {
        Console.Error.WriteLine($"vigil policy: no agent answers at {result.GetValue(s_apiUrl)} with the token of {result.GetValue(s_apiToken)} (is `vigil run` running? --api-url, --api-token-file)");
        return ExitCodes.Unavailable;
    }

    /// <summary>The agent's refusal (every problem it named) or an unreachable agent become lines on stderr and exit 1.</summary>
    private static async Task<int> Refusable(Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (AgentRefusedException ex)
        {
            foreach (string line in ex.Problems.Count > 0 ? ex.Problems : [ex.Message])
            {
                await Console.Error.WriteLineAsync(line).ConfigureAwait(false);
            }
            return ExitCodes.Failure;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            await Console.Error.WriteLineAsync($"vigil policy: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }

    private static string Mode(PolicyDocument policy) => policy.Mode.ToString().ToLowerInvariant();
}
