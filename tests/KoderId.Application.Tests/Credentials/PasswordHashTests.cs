using KoderId.Application.Credentials;

namespace KoderId.Application.Tests.Credentials;

public sealed class PasswordHashTests
{
    // phc-winner-argon2 src/test.c: argon2id, "password" / "somesalt", t=2, m=2^16, p=1, 32-byte tag.
    internal const string ReferenceCliPhc = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";

    [Fact]
    public void the_reference_cli_string_parses_into_its_parts_and_prints_back_identically()
    {
        var hash = PasswordHash.Parse(ReferenceCliPhc);

        Assert.Equal(new Argon2idParameters(65536, 2, 1), hash.Parameters);
        Assert.Equal("somesalt"u8.ToArray(), hash.Salt.ToArray());
        Assert.Equal(Convert.FromHexString("09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7"), hash.Hash.ToArray());
        Assert.Equal(ReferenceCliPhc, hash.ToString());
    }

    [Fact]
    public void a_created_hash_round_trips_through_its_string()
    {
        var salt = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();
        var digest = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();

        var text = PasswordHash.Create(new Argon2idParameters(19456, 2, 1), salt, digest).ToString();
        var back = PasswordHash.Parse(text);

        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$AAECAwQFBgcICQoLDA0ODw$", text, StringComparison.Ordinal);
        Assert.DoesNotContain("=", text.Split('$')[4] + text.Split('$')[5], StringComparison.Ordinal);
        Assert.Equal(salt, back.Salt.ToArray());
        Assert.Equal(digest, back.Hash.ToArray());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")]
    [InlineData("$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ")]
    [InlineData("$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc$")]
    [InlineData("$argon2id$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")]
    [InlineData("$argon2id$v=19$t=2,m=65536,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")]
    [InlineData("$argon2id$v=19$m=65536,t=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")]
    [InlineData("$argon2id$v=19$m=65536,t=2,p=1,keyid=x$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")]
    [InlineData("$argon2id$v=19$m=065536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")]
    [InlineData("$argon2id$v=19$m=+65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")]
    [InlineData("$argon2id$v=19$m=65536, t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")]
    [InlineData("$argon2id$v=19$m=99999999999,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")]
    [InlineData("$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ=$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")]
    [InlineData("$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHR$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")]
    [InlineData("$argon2id$v=19$m=65536,t=2,p=1$c29t-XNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")]
    [InlineData("$argon2id$v=19$m=65536,t=2,p=1$$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")]
    [InlineData("$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPP")]
    public void a_malformed_string_is_a_typed_error(string? phc)
    {
        Assert.False(PasswordHash.TryParse(phc, out var hash, out var error));
        Assert.Null(hash);
        Assert.Equal(PasswordHashFormatError.Malformed, error);
        var thrown = Assert.Throws<PasswordHashFormatException>(() => PasswordHash.Parse(phc));
        Assert.Equal(PasswordHashFormatError.Malformed, thrown.Error);
    }

    [Theory]
    [InlineData("$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")]
    [InlineData("$argon2d$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")]
    [InlineData("$ARGON2ID$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")]
    [InlineData("$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW")]
    [InlineData("$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E")]
    public void another_algorithm_is_refused_as_unsupported(string phc)
    {
        Assert.False(PasswordHash.TryParse(phc, out _, out var error));
        Assert.Equal(PasswordHashFormatError.UnsupportedAlgorithm, error);
    }

    [Theory]
    [InlineData("$argon2id$v=16$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")]
    [InlineData("$argon2id$v=20$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")]
    public void another_argon2_version_is_refused(string phc)
    {
        Assert.False(PasswordHash.TryParse(phc, out _, out var error));
        Assert.Equal(PasswordHashFormatError.UnsupportedVersion, error);
    }

    [Theory]
    [InlineData("$argon2id$v=19$m=0,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")]
    [InlineData("$argon2id$v=19$m=15,t=2,p=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")]
    [InlineData("$argon2id$v=19$m=1048577,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")]
    [InlineData("$argon2id$v=19$m=65536,t=0,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")]
    [InlineData("$argon2id$v=19$m=65536,t=65,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")]
    [InlineData("$argon2id$v=19$m=65536,t=2,p=0$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")]
    [InlineData("$argon2id$v=19$m=65536,t=2,p=65$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")]
    [InlineData("$argon2id$v=19$m=65536,t=2,p=1$c29tZXM$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")]
    [InlineData("$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm")]
    public void a_parameter_out_of_range_is_refused(string phc)
    {
        Assert.False(PasswordHash.TryParse(phc, out _, out var error));
        Assert.Equal(PasswordHashFormatError.ParameterOutOfRange, error);
    }

    [Fact]
    public void the_format_error_never_carries_the_hash()
    {
        var tampered = PasswordHashTests.ReferenceCliPhc.Replace("v=19", "v=18", StringComparison.Ordinal);

        var thrown = Assert.Throws<PasswordHashFormatException>(() => PasswordHash.Parse(tampered));

        Assert.StartsWith("KID1105", thrown.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("c29tZXNhbHQ", thrown.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("CTFh", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void needs_rehash_when_the_policy_parameters_differ()
    {
        var policy = new PasswordHashingPolicy(1024, 1, 1);
        var current = PasswordHash.Create(policy.Parameters, new byte[16], new byte[32]);

        Assert.False(policy.NeedsRehash(current));
        Assert.False(policy.NeedsRehash(current.ToString()));
        Assert.True(new PasswordHashingPolicy(2048, 1, 1).NeedsRehash(current));
        Assert.True(new PasswordHashingPolicy(1024, 2, 1).NeedsRehash(current));
        Assert.True(new PasswordHashingPolicy(1024, 1, 2).NeedsRehash(current));
        Assert.True(policy.NeedsRehash(PasswordHash.Create(policy.Parameters, new byte[8], new byte[32])));
        Assert.True(policy.NeedsRehash(PasswordHash.Create(policy.Parameters, new byte[16], new byte[16])));
        Assert.True(policy.NeedsRehash("not a hash"));
    }

    [Fact]
    public void the_default_hashing_policy_is_the_owasp_baseline()
    {
        Assert.Equal(new PasswordHashingPolicy(19_456, 2, 1), PasswordHashingPolicy.Default);
    }

    [Fact]
    public void a_policy_out_of_range_is_refused_when_used()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PasswordHashingPolicy(4, 1, 1).Parameters);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PasswordHashingPolicy(1024, 0, 1).Parameters);
    }
}
