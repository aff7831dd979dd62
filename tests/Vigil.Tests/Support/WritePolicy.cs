namespace Vigil.Tests.Support;

/// <summary>The policy the policy CLI and fleet distribution tests apply: post every write or create under a directory.</summary>
public static class WritePolicy
{
    /// <param name="extra">More rules, appended to spec.rules as YAML.</param>
    public static string Yaml(string name, string directory, string extra = "") => $"""
        apiVersion: vigil.dev/v1
        kind: Policy
        metadata:
          name: {name}
        spec:
          rules:
            - name: writes
              events: [open]
              match:
                path:
                  prefix: [{directory}/]
                intent: [write, create]
              action: post
        {extra}
        """;
}
