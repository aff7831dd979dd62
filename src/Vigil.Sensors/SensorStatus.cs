namespace Vigil.Sensors;

public enum SensorState
{
    NotStarted,
    Running,
    Failed,
    Stopped,
}

/// <summary>How a sensor is doing; a failed sensor says why (and, for a verifier rejection, shows the log).</summary>
public sealed record SensorStatus(string Sensor, SensorState State, string? Reason = null, string? VerifierLog = null);
