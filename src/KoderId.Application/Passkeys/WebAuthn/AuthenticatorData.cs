using System.Buffers.Binary;
using System.Formats.Cbor;

namespace KoderId.Application.Passkeys.WebAuthn;

/// <summary>The flags byte of the authenticator data (WebAuthn L3 §6.1).</summary>
[Flags]
public enum AuthenticatorFlags : byte
{
    None = 0,
    UserPresent = 0x01,
    UserVerified = 0x04,
    BackupEligible = 0x08,
    BackupState = 0x10,
    AttestedCredentialData = 0x40,
    ExtensionData = 0x80,
}

/// <summary>The attested credential data of a registration (§6.5.2): who made the key, its id and the key itself.</summary>
/// <param name="PublicKeyCose">The COSE_Key bytes exactly as the authenticator encoded them; what is stored and later verified with.</param>
public sealed record AttestedCredential(Guid Aaguid, byte[] CredentialId, byte[] PublicKeyCose, CoseKey PublicKey);

/// <summary>
/// The parsed authenticator data (§6.1): rpIdHash (32) | flags (1) | signCount (4, big-endian) | attested
/// credential data (when AT) | extensions CBOR map (when ED). Every length is checked against what is left, and
/// nothing may follow the last declared part, so a truncated or padded structure is refused, never half-read.
/// </summary>
public sealed record AuthenticatorData(byte[] RpIdHash, AuthenticatorFlags Flags, uint SignCount, AttestedCredential? Credential, byte[] Raw)
{
    /// <summary>§5.8.3: a credential id is at most 1023 bytes; one under 16 bytes carries too little entropy to be one.</summary>
    public const int MaxCredentialIdLength = 1023;
    public const int MinCredentialIdLength = 16;

    private const int FixedLength = 37;

    public bool UserPresent => Flags.HasFlag(AuthenticatorFlags.UserPresent);

    public bool UserVerified => Flags.HasFlag(AuthenticatorFlags.UserVerified);

    public bool BackupEligible => Flags.HasFlag(AuthenticatorFlags.BackupEligible);

    public bool BackupState => Flags.HasFlag(AuthenticatorFlags.BackupState);

    public static AuthenticatorData Parse(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length < FixedLength)
        {
            throw WebAuthnErrors.Malformed("the authenticator data is truncated");
        }

        var rpIdHash = data[..32];
        var flags = (AuthenticatorFlags)data[32];
        var signCount = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(33, 4));
        var offset = FixedLength;
        AttestedCredential? credential = null;
        if (flags.HasFlag(AuthenticatorFlags.AttestedCredentialData))
        {
            if (data.Length < offset + 18)
            {
                throw WebAuthnErrors.Malformed("the attested credential data is truncated");
            }

            var aaguid = new Guid(data.AsSpan(offset, 16), bigEndian: true);
            var idLength = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset + 16, 2));
            offset += 18;
            if (idLength is < MinCredentialIdLength or > MaxCredentialIdLength)
            {
                throw WebAuthnErrors.Malformed($"the credential id is not {MinCredentialIdLength} to {MaxCredentialIdLength} bytes");
            }

            if (data.Length < offset + idLength)
            {
                throw WebAuthnErrors.Malformed("the credential id is truncated");
            }

            var credentialId = data[offset..(offset + idLength)];
            offset += idLength;
            var keyLength = CborItemLength(data, offset, "credential public key");
            var keyBytes = data[offset..(offset + keyLength)];
            offset += keyLength;
            credential = new AttestedCredential(aaguid, credentialId, keyBytes, CoseKey.Parse(keyBytes));
        }

        if (flags.HasFlag(AuthenticatorFlags.ExtensionData))
        {
            if (offset >= data.Length)
            {
                throw WebAuthnErrors.Malformed("the extensions are missing");
            }

            offset += CborItemLength(data, offset, "extensions", requireMap: true);
        }

        if (offset != data.Length)
        {
            throw WebAuthnErrors.Malformed("the authenticator data has trailing bytes");
        }

        return new AuthenticatorData(rpIdHash, flags, signCount, credential, data);
    }

    /// <summary>The length of the one CBOR item at <paramref name="offset"/>; anything after it is left to the caller.</summary>
    private static int CborItemLength(byte[] data, int offset, string what, bool requireMap = false)
    {
        try
        {
            var reader = new CborReader(data.AsMemory(offset), CborConformanceMode.Strict, allowMultipleRootLevelValues: true);
            if (requireMap && reader.PeekState() != CborReaderState.StartMap)
            {
                throw WebAuthnErrors.Malformed($"the {what} are not a CBOR map");
            }

            reader.SkipValue();
            return data.Length - offset - reader.BytesRemaining;
        }
        catch (CborContentException)
        {
            throw WebAuthnErrors.Malformed($"the {what} is not well-formed CBOR");
        }
        catch (InvalidOperationException)
        {
            throw WebAuthnErrors.Malformed($"the {what} is not well-formed CBOR");
        }
    }
}
