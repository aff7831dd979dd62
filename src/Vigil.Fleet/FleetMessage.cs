namespace Vigil.Fleet;

/// <summary>One message for JetStream. The id is fixed when the message is made, so a replay after an outage is de-duplicated (Nats-Msg-Id).</summary>
public sealed record FleetMessage(string Subject, string MessageId, ReadOnlyMemory<byte> Payload);
