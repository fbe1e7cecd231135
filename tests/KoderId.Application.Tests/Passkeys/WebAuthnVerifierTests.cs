using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KoderId.Application.Passkeys.WebAuthn;
using KoderId.Domain;

namespace KoderId.Application.Tests.Passkeys;

/// <summary>
/// WebAuthn L3 §7.1 / §7.2 against the specification's own test vectors (§16), then one mutation of each input a
/// relying party checks. Every refusal is a KID134x domain error, never another exception.
/// </summary>
public sealed class WebAuthnVerifierTests
{
    public static TheoryData<string> Vectors => SpecVectors.All();

    [Theory]
    [MemberData(nameof(Vectors))]
    public void a_specification_registration_verifies_with_its_key_algorithm_and_attestation(string name)
    {
        var v = SpecVectors.Vector(name);
        var reg = v.GetProperty("registration");

        var verified = Register(v);

        Assert.Equal(SpecVectors.Hex(reg, "credentialId"), verified.CredentialId);
        Assert.Equal(new Guid(SpecVectors.Hex(reg, "aaguid"), bigEndian: true), verified.Aaguid);
        Assert.Equal(v.GetProperty("alg").GetInt32(), verified.Algorithm);
        Assert.Equal(v.GetProperty("format").GetString(), verified.AttestationFormat);
        Assert.Equal(Enum.Parse<AttestationKind>(v.GetProperty("attestation").GetString()!), verified.Attestation);
        Assert.Equal(["usb"], verified.Transports);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void a_specification_assertion_verifies_with_the_registered_key(string name)
    {
        var v = SpecVectors.Vector(name);
        var registered = Register(v);
        var auth = v.GetProperty("authentication");

        var verified = SignIn(v, registered);

        Assert.False(verified.CounterRegressed);
        Assert.Equal(0u, verified.SignCount);
        Assert.Equal((SpecVectors.Hex(auth, "authenticatorData")[32] & 0x04) != 0, verified.UserVerified);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void an_assertion_with_a_flipped_signature_bit_is_refused(string name)
    {
        var v = SpecVectors.Vector(name);
        var registered = Register(v);
        var signature = SpecVectors.Hex(v.GetProperty("authentication"), "signature");
        signature[^1] ^= 0x01;

        AssertRefused(DomainErrors.WebAuthnInvalidSignature, () => SignIn(v, registered, signature: signature));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void an_assertion_over_other_authenticator_data_is_refused(string name)
    {
        var v = SpecVectors.Vector(name);
        var registered = Register(v);
        var authData = SpecVectors.Hex(v.GetProperty("authentication"), "authenticatorData");
        authData[^1] ^= 0x01; // the counter: still well-formed, no longer what was signed

        AssertRefused(DomainErrors.WebAuthnInvalidSignature, () => SignIn(v, registered, authenticatorData: authData));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void a_ceremony_for_another_relying_party_is_refused(string name)
    {
        var v = SpecVectors.Vector(name);
        AssertRefused(DomainErrors.WebAuthnRpIdMismatch, () => Register(v, rpId: "example.com"));
        var registered = Register(v);
        AssertRefused(DomainErrors.WebAuthnRpIdMismatch, () => SignIn(v, registered, rpId: "evil.example.org"));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void a_ceremony_from_another_origin_is_refused(string name)
    {
        var v = SpecVectors.Vector(name);
        AssertRefused(DomainErrors.WebAuthnOriginMismatch, () => Register(v, origin: "https://evil.example"));
        var registered = Register(v);
        AssertRefused(DomainErrors.WebAuthnOriginMismatch, () => SignIn(v, registered, origin: "http://example.org"));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void a_response_to_another_challenge_is_refused(string name)
    {
        var v = SpecVectors.Vector(name);
        AssertRefused(DomainErrors.WebAuthnChallengeMismatch, () => Register(v, challenge: RandomNumberGenerator.GetBytes(32)));
        var registered = Register(v);
        // The registration's challenge presented at sign-in: a replay of an old answer.
        AssertRefused(DomainErrors.WebAuthnChallengeMismatch, () => SignIn(v, registered, challenge: SpecVectors.Hex(v.GetProperty("registration"), "challenge")));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void client_data_of_the_other_ceremony_type_is_refused(string name)
    {
        var v = SpecVectors.Vector(name);
        var registered = Register(v);
        var clientData = Encoding.UTF8.GetString(SpecVectors.Hex(v.GetProperty("authentication"), "clientDataJSON")).Replace("webauthn.get", "webauthn.create", StringComparison.Ordinal);

        AssertRefused(DomainErrors.WebAuthnWrongType, () => SignIn(v, registered, clientData: Encoding.UTF8.GetBytes(clientData)));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void an_assertion_without_user_presence_is_refused(string name)
    {
        var v = SpecVectors.Vector(name);
        var registered = Register(v);
        var authData = SpecVectors.Hex(v.GetProperty("authentication"), "authenticatorData");
        authData[32] &= 0xFE;

        AssertRefused(DomainErrors.WebAuthnUserNotPresent, () => SignIn(v, registered, authenticatorData: authData));
    }

    [Fact]
    public void user_verification_is_enforced_when_the_options_require_it()
    {
        // 16.2's registration and assertion carry no UV flag.
        var v = SpecVectors.Vector("16.2 ES256 Credential with No Attestation");
        AssertRefused(DomainErrors.WebAuthnUserNotVerified, () => Register(v, requireUv: true));
        var registered = Register(v);
        AssertRefused(DomainErrors.WebAuthnUserNotVerified, () => SignIn(v, registered, requireUv: true));

        // 16.7's assertion has UV: required UV passes.
        var uv = SpecVectors.Vector("16.7 Packed Attestation with ES256 Credential");
        Assert.True(SignIn(uv, Register(uv, requireUv: true), requireUv: true).UserVerified);
    }

    [Fact]
    public void a_sign_counter_that_does_not_move_forward_is_flagged()
    {
        var v = SpecVectors.Vector("16.3 ES256 Credential with Self Attestation");
        var registered = Register(v);

        var verified = WebAuthnVerifier.VerifyAssertion(
            WebAuthnVerifier.ReadAssertion(SpecVectors.Json(SpecVectors.Assertion(registered.CredentialId, v.GetProperty("authentication")))),
            new AssertionExpectations(SpecVectors.Hex(v.GetProperty("authentication"), "challenge"), SpecVectors.Origin, SpecVectors.RpId, false),
            new StoredCredential(registered.CredentialId, registered.PublicKeyCose, 7, registered.BackupEligible));

        Assert.True(verified.CounterRegressed);
    }

    [Fact]
    public void a_backup_state_without_backup_eligibility_is_refused()
    {
        // 16.11 registers without BE; its assertion flags byte 0x01. Claiming BE at sign-in is refused (§7.2 step 18).
        var v = SpecVectors.Vector("16.11 Packed Attestation with Ed25519 Credential");
        var registered = Register(v);
        var authData = SpecVectors.Hex(v.GetProperty("authentication"), "authenticatorData");
        authData[32] |= 0x08;

        AssertRefused(DomainErrors.WebAuthnBackupStateInvalid, () => SignIn(v, registered, authenticatorData: authData));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(36)]
    [InlineData(38)]
    public void truncated_or_padded_authenticator_data_is_malformed(int length)
    {
        var v = SpecVectors.Vector("16.2 ES256 Credential with No Attestation");
        var registered = Register(v);
        var full = SpecVectors.Hex(v.GetProperty("authentication"), "authenticatorData");
        var data = length <= full.Length ? full[..length] : [.. full, 0x00];

        AssertRefused(DomainErrors.WebAuthnMalformed, () => SignIn(v, registered, authenticatorData: data.Length == 0 ? [0] : data));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void a_truncated_attestation_object_is_malformed(string name)
    {
        var v = SpecVectors.Vector(name);
        var attestation = SpecVectors.Hex(v.GetProperty("registration"), "attestationObject");

        AssertRefused(DomainErrors.WebAuthnMalformed, () => Register(v, attestationObject: attestation[..^10]));
    }

    [Theory]
    [InlineData("ff")]
    [InlineData("a1")]
    [InlineData("a363666d74646e6f6e65")]
    [InlineData("a2636669786465786970")]
    [InlineData("bf63666d74646e6f6e65ff")]
    [InlineData("8301020304")]
    public void malformed_cbor_is_refused_as_malformed(string hex)
    {
        var v = SpecVectors.Vector("16.2 ES256 Credential with No Attestation");

        AssertRefused(DomainErrors.WebAuthnMalformed, () => Register(v, attestationObject: Convert.FromHexString(hex)));
    }

    [Fact]
    public void authenticator_data_whose_credential_id_length_overruns_it_is_malformed()
    {
        var v = SpecVectors.Vector("16.2 ES256 Credential with No Attestation");
        var authData = AuthDataOf(v);
        authData[37 + 16] = 0x03; // credentialIdLength 0x0320 = 800 bytes, with 32 + a key left
        AssertRefused(DomainErrors.WebAuthnMalformed, () => Register(v, attestationObject: AttestationWith("none", authData)));
        authData[37 + 16] = 0x04; // 0x0420 = 1056 bytes, over the 1023 limit
        AssertRefused(DomainErrors.WebAuthnMalformed, () => Register(v, attestationObject: AttestationWith("none", authData)));
    }

    [Fact]
    public void oversized_client_data_is_refused_with_its_own_code()
    {
        var v = SpecVectors.Vector("16.2 ES256 Credential with No Attestation");
        var huge = Encoding.UTF8.GetBytes("{\"type\":\"webauthn.create\",\"pad\":\"" + new string('x', ClientData.MaxBytes) + "\"}");

        AssertRefused(DomainErrors.WebAuthnClientDataTooLarge, () => Register(v, clientData: huge));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"type\":\"webauthn.create\",\"origin\":\"https://example.org\"}")]
    [InlineData("{\"type\":\"webauthn.create\",\"challenge\":\"***\",\"origin\":\"https://example.org\"}")]
    [InlineData("{\"type\":1,\"challenge\":\"AAAA\",\"origin\":\"https://example.org\"}")]
    public void malformed_client_data_is_refused_as_malformed(string json)
    {
        var v = SpecVectors.Vector("16.2 ES256 Credential with No Attestation");

        AssertRefused(DomainErrors.WebAuthnMalformed, () => Register(v, clientData: Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void a_registration_made_in_a_cross_origin_frame_is_refused()
    {
        var co = SpecVectors.CrossOrigin;
        var credential = SpecVectors.Registration(co);

        AssertRefused(DomainErrors.WebAuthnCrossOrigin, () => WebAuthnVerifier.VerifyRegistration(
            SpecVectors.Json(credential), new RegistrationExpectations(SpecVectors.Hex(co, "challenge"), SpecVectors.Origin, SpecVectors.RpId, false)));
    }

    [Fact]
    public void a_key_algorithm_outside_es256_eddsa_and_rs256_is_refused()
    {
        var v = SpecVectors.Vector("16.2 ES256 Credential with No Attestation");
        var authData = AuthDataOf(v);
        // Rewrite the COSE key's alg (-7, 0x26) to ES384 (-35, 0x38 0x22): a longer key, a longer authData.
        var keyStart = 37 + 18 + 32;
        var key = authData[keyStart..];
        var writer = new CborWriter(CborConformanceMode.Ctap2Canonical);
        writer.WriteStartMap(5);
        writer.WriteInt32(1);
        writer.WriteInt32(2);
        writer.WriteInt32(3);
        writer.WriteInt32(-35);
        writer.WriteInt32(-1);
        writer.WriteInt32(1);
        writer.WriteInt32(-2);
        writer.WriteByteString(key.AsSpan(10, 32));
        writer.WriteInt32(-3);
        writer.WriteByteString(key.AsSpan(45, 32));
        writer.WriteEndMap();
        byte[] rewritten = [.. authData[..keyStart], .. writer.Encode()];

        AssertRefused(DomainErrors.WebAuthnUnsupportedAlgorithm, () => Register(v, attestationObject: AttestationWith("none", rewritten)));
    }

    [Fact]
    public void a_self_attestation_with_a_broken_signature_is_refused()
    {
        var v = SpecVectors.Vector("16.3 ES256 Credential with Self Attestation");
        var attestation = SpecVectors.Hex(v.GetProperty("registration"), "attestationObject");
        // The DER signature's last byte sits just before "hauthData" (68 61 75 74 68 44 61 74 61).
        var at = Convert.ToHexString(attestation).IndexOf("68617574684461746158", StringComparison.Ordinal) / 2;
        attestation[at - 1] ^= 0x01;

        AssertRefused(DomainErrors.WebAuthnInvalidAttestation, () => Register(v, attestationObject: attestation));
    }

    [Theory]
    [InlineData("16.7 Packed Attestation with ES256 Credential")]
    [InlineData("16.10 Packed Attestation with RS256 Credential")]
    [InlineData("16.11 Packed Attestation with Ed25519 Credential")]
    public void an_attestation_certificate_without_the_authenticator_attestation_ou_is_refused(string name)
    {
        var v = SpecVectors.Vector(name);
        var hex = Convert.ToHexString(SpecVectors.Hex(v.GetProperty("registration"), "attestationObject")).ToLowerInvariant();
        // The leaf's subject OU "Authenticator Attestation" is followed by the C attribute's SET (31 0b 30 09).
        const string ou = "41757468656e74696361746f72204174746573746174696f6e310b3009";
        var at = hex.IndexOf(ou, StringComparison.Ordinal);
        Assert.True(at > 0);
        var mutated = hex[..at] + "41757468656e74696361746f722041747465737461746968" + hex[(at + ou.Length - 10)..];

        AssertRefused(DomainErrors.WebAuthnInvalidAttestation, () => Register(v, attestationObject: Convert.FromHexString(mutated)));
    }

    [Fact]
    public void a_packed_attestation_signed_for_other_client_data_is_refused()
    {
        var v = SpecVectors.Vector("16.7 Packed Attestation with ES256 Credential");
        var clientData = Encoding.UTF8.GetString(SpecVectors.Hex(v.GetProperty("registration"), "clientDataJSON"))
            .Replace("clientDataJSON may be extended", "clientDataJSON may be EXTENDED", StringComparison.Ordinal);

        AssertRefused(DomainErrors.WebAuthnInvalidAttestation, () => Register(v, clientData: Encoding.UTF8.GetBytes(clientData)));
    }

    [Fact]
    public void a_credential_id_other_than_the_authenticators_is_refused()
    {
        var v = SpecVectors.Vector("16.2 ES256 Credential with No Attestation");

        AssertRefused(DomainErrors.WebAuthnCredentialMismatch, () => Register(v, id: RandomNumberGenerator.GetBytes(32)));
    }

    [Fact]
    public void a_none_attestation_with_a_statement_is_refused()
    {
        var v = SpecVectors.Vector("16.2 ES256 Credential with No Attestation");
        var writer = new CborWriter(CborConformanceMode.Ctap2Canonical);
        writer.WriteStartMap(3);
        writer.WriteTextString("fmt");
        writer.WriteTextString("none");
        writer.WriteTextString("attStmt");
        writer.WriteStartMap(1);
        writer.WriteTextString("alg");
        writer.WriteInt32(-7);
        writer.WriteEndMap();
        writer.WriteTextString("authData");
        writer.WriteByteString(AuthDataOf(v));
        writer.WriteEndMap();

        AssertRefused(DomainErrors.WebAuthnInvalidAttestation, () => Register(v, attestationObject: writer.Encode()));
    }

    [Fact]
    public void an_unknown_attestation_format_is_refused()
    {
        var v = SpecVectors.Vector("16.2 ES256 Credential with No Attestation");

        AssertRefused(DomainErrors.WebAuthnInvalidAttestation, () => Register(v, attestationObject: AttestationWith("fido-u2f", AuthDataOf(v))));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"type\":\"public-key\",\"id\":\"AAAA\"}")]
    [InlineData("{\"type\":\"password\",\"id\":\"AAAA\",\"response\":{}}")]
    [InlineData("{\"type\":\"public-key\",\"id\":\"AAAA\",\"rawId\":\"BBBB\",\"response\":{}}")]
    [InlineData("{\"type\":\"public-key\",\"id\":\"AAAA\",\"response\":{\"clientDataJSON\":5}}")]
    [InlineData("[1,2]")]
    public void a_credential_json_that_is_not_a_public_key_credential_is_malformed(string json)
    {
        var element = JsonDocument.Parse(json).RootElement;
        var expected = new RegistrationExpectations([1, 2, 3], SpecVectors.Origin, SpecVectors.RpId, false);

        AssertRefused(DomainErrors.WebAuthnMalformed, () => WebAuthnVerifier.VerifyRegistration(element, expected));
        AssertRefused(DomainErrors.WebAuthnMalformed, () => WebAuthnVerifier.ReadAssertion(element));
    }

    private static byte[] AuthDataOf(JsonElement v)
    {
        var reader = new CborReader(SpecVectors.Hex(v.GetProperty("registration"), "attestationObject"));
        reader.ReadStartMap();
        while (true)
        {
            if (reader.ReadTextString() == "authData")
            {
                return reader.ReadByteString();
            }

            reader.SkipValue();
        }
    }

    private static byte[] AttestationWith(string fmt, byte[] authData)
    {
        var writer = new CborWriter(CborConformanceMode.Ctap2Canonical);
        writer.WriteStartMap(3);
        writer.WriteTextString("fmt");
        writer.WriteTextString(fmt);
        writer.WriteTextString("attStmt");
        writer.WriteStartMap(0);
        writer.WriteEndMap();
        writer.WriteTextString("authData");
        writer.WriteByteString(authData);
        writer.WriteEndMap();
        return writer.Encode();
    }

    private static VerifiedRegistration Register(
        JsonElement v, string? rpId = null, string? origin = null, byte[]? challenge = null, bool requireUv = false,
        byte[]? clientData = null, byte[]? attestationObject = null, byte[]? id = null)
    {
        var reg = v.GetProperty("registration");
        return WebAuthnVerifier.VerifyRegistration(
            SpecVectors.Json(SpecVectors.Registration(reg, clientData, attestationObject, id)),
            new RegistrationExpectations(challenge ?? SpecVectors.Hex(reg, "challenge"), origin ?? SpecVectors.Origin, rpId ?? SpecVectors.RpId, requireUv));
    }

    private static VerifiedAssertion SignIn(
        JsonElement v, VerifiedRegistration registered, string? rpId = null, string? origin = null, byte[]? challenge = null, bool requireUv = false,
        byte[]? clientData = null, byte[]? authenticatorData = null, byte[]? signature = null)
    {
        var auth = v.GetProperty("authentication");
        var assertion = WebAuthnVerifier.ReadAssertion(SpecVectors.Json(SpecVectors.Assertion(registered.CredentialId, auth, clientData, authenticatorData, signature)));
        return WebAuthnVerifier.VerifyAssertion(
            assertion,
            new AssertionExpectations(challenge ?? SpecVectors.Hex(auth, "challenge"), origin ?? SpecVectors.Origin, rpId ?? SpecVectors.RpId, requireUv),
            new StoredCredential(registered.CredentialId, registered.PublicKeyCose, registered.SignCount, registered.BackupEligible));
    }

    private static void AssertRefused(string code, Action act)
    {
        var ex = Assert.Throws<DomainException>(act);
        Assert.Equal(code, ex.Code);
    }
}
