using System.CommandLine;
using Vigil.Agent.Host;
using Vigil.Enrichment.Containers;
using Vigil.Policy;

namespace Vigil.Agent.Commands;

/// <summary>
/// <c>vigil policy check FILE...</c>: validates policy files, alone and as one set, against this host;
/// <c>vigil policy list</c>: the policies of a policy directory and what each puts in force.
/// </summary>
public static class PolicyCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "Policy files (YAML), checked one by one and then as one set", Arity = ArgumentArity.OneOrMore };
        var check = new Command("check", "Validate policy files; every problem with file:line:col and the reason") { files };
        check.SetAction(result => Check(result.GetValue(files)!));

        var directory = new Option<string?>("--policies") { Description = "Policy directory (default: the shipped policies/)" };
        var list = new Command("list", "List the policies of a policy directory: name, mode, rules, file") { directory };
        list.SetAction(result => List(result.GetValue(directory) ?? new AgentOptions().PolicyDirectory));
        return new Command("policy", "Policies: what the kernel filters, counts and enforces") { check, list };
    }

    private static int Check(IEnumerable<string> paths)
    {
        var policies = new List<PolicyDocument>();
        bool ok = true;
        foreach (string path in paths)
        {
            try
            {
                PolicyDocument policy = PolicyReader.ReadFile(path);
                policies.Add(policy);
                Console.WriteLine($"{path}: ok: policy {policy.Name}, {policy.Mode.ToString().ToLowerInvariant()}, {policy.Rules.Count} rules");
            }
            catch (PolicyException ex)
            {
                ok = false;
                Console.WriteLine(ex.Message);
            }
            catch (IOException ex)
            {
                ok = false;
                Console.WriteLine($"{path}: {ex.Message}");
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

    private static int List(string directory)
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
                Console.WriteLine($"{policy.Name,-24} {policy.Mode.ToString().ToLowerInvariant(),-8} {policy.Rules.Count,5}  {file}");
            }
            catch (PolicyException ex)
            {
                status = ExitCodes.Failure;
                Console.WriteLine($"{"(invalid)",-24} {"",-8} {"",5}  {file}: {ex.Problems.FirstOrDefault()?.Message ?? ex.Message}");
            }
        }
        return status;
    }
}
