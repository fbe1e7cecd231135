namespace KoderId.Application.Flows;

/// <summary>
/// Seals what a factor must keep in its flow in a form it can read back (a TOTP secret being enrolled), with the
/// server's key ring (authenticated encryption, every node shares it): the transient store never holds it in clear.
/// </summary>
public interface IFlowSecrets
{
    string Seal(byte[] payload);

    /// <summary>The payload, or null for anything this server did not seal.</summary>
    byte[]? Unseal(string sealedPayload);
}
