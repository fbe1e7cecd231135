using System.Text;
using KoderId.Application.Credentials;

namespace KoderId.Application.Tests.Credentials;

public sealed class Argon2idHasherTests
{
    // Small parameters keep the suite fast; one test runs the default policy.
    private static readonly PasswordHashingPolicy Fast = new(1024, 1, 1);

    // Computed by Konscious (salt 00..0f, "correct horse battery staple"); libsodium must agree byte for byte.
    private const string PinnedPhc = "$argon2id$v=19$m=1024,t=1,p=1$AAECAwQFBgcICQoLDA0ODw$8NFSWEIVnO+XJgji+LwcssgjD4Hup28SR4n2vrQkA7I";

    public static TheoryData<string> Hashers => ["konscious", "sodium"];

    private static IPasswordHasher Get(string name) => name == "sodium" ? SodiumArgon2idHasher.Instance : KonsciousArgon2idHasher.Instance;

    [Fact]
    public void konscious_reproduces_the_rfc_9106_argon2id_vector()
    {
        // RFC 9106 §5.3: secret and associated data, which libsodium's crypto_pwhash cannot take.
        using var argon2 = new Konscious.Security.Cryptography.Argon2id(Enumerable.Repeat((byte)0x01, 32).ToArray())
        {
            Salt = Enumerable.Repeat((byte)0x02, 16).ToArray(),
            KnownSecret = Enumerable.Repeat((byte)0x03, 8).ToArray(),
            AssociatedData = Enumerable.Repeat((byte)0x04, 12).ToArray(),
            Iterations = 3,
            MemorySize = 32,
            DegreeOfParallelism = 4,
        };

        Assert.Equal(
            Convert.FromHexString("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"),
            argon2.GetBytes(32));
    }

    [Theory]
    [MemberData(nameof(Hashers))]
    public void the_reference_cli_vector_verifies(string name)
    {
        // 8-byte salt: libsodium cannot take it, so the sodium hasher hands it to Konscious (documented fallback).
        Assert.True(Get(name).Verify("password", PasswordHashTests.ReferenceCliPhc));
        Assert.False(Get(name).Verify("passwore", PasswordHashTests.ReferenceCliPhc));
    }

    [Theory]
    [InlineData("$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4")]
    [InlineData("$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc")]
    public void small_reference_vectors_verify_with_both(string phc)
    {
        Assert.True(KonsciousArgon2idHasher.Instance.Verify("password", phc));
        Assert.True(SodiumArgon2idHasher.Instance.Verify("password", phc));
    }

    [Theory]
    [MemberData(nameof(Hashers))]
    public void the_pinned_vector_verifies_with_each_engine(string name)
    {
        Assert.True(Get(name).Verify("correct horse battery staple", PinnedPhc));
    }

    [Fact]
    public void libsodium_computes_the_pinned_vector_itself()
    {
        // The pinned vector is p=1 with a 16-byte salt, so this is libsodium's own output, not the fallback.
        var parsed = PasswordHash.Parse(PinnedPhc);
        Assert.True(SodiumArgon2idHasher.Supports(parsed.Parameters, parsed.Salt.Length));
        var tag = NSec.Cryptography.PasswordBasedKeyDerivationAlgorithm
            .Argon2id(new NSec.Cryptography.Argon2Parameters { DegreeOfParallelism = 1, MemorySize = 1024, NumberOfPasses = 1 })
            .DeriveBytes("correct horse battery staple"u8, parsed.Salt, 32);
        Assert.Equal(parsed.Hash.ToArray(), tag);
    }

    [Theory]
    [InlineData("konscious", "sodium")]
    [InlineData("sodium", "konscious")]
    public void a_hash_made_by_one_engine_verifies_with_the_other(string maker, string checker)
    {
        const string password = "tr0ub4dor & 3 — ünïcødé 🔐";

        var phc = Get(maker).Hash(password, Fast);

        Assert.StartsWith("$argon2id$v=19$m=1024,t=1,p=1$", phc, StringComparison.Ordinal);
        Assert.True(Get(checker).Verify(password, phc));
        Assert.False(Get(checker).Verify(password + " ", phc));
    }

    [Theory]
    [MemberData(nameof(Hashers))]
    public void a_wrong_password_does_not_verify(string name)
    {
        var phc = Get(name).Hash("the right password", Fast);

        Assert.False(Get(name).Verify("the wrong password", phc));
        Assert.False(Get(name).Verify("", phc));
        Assert.False(Get(name).Verify("The right password", phc));
    }

    [Theory]
    [MemberData(nameof(Hashers))]
    public void an_empty_password_is_never_hashed(string name)
    {
        Assert.Throws<ArgumentException>(() => Get(name).Hash("", Fast));
    }

    [Theory]
    [MemberData(nameof(Hashers))]
    public void each_hash_gets_its_own_salt(string name)
    {
        Assert.NotEqual(Get(name).Hash("same password", Fast), Get(name).Hash("same password", Fast));
    }

    [Theory]
    [MemberData(nameof(Hashers))]
    public void a_tampered_hash_does_not_verify(string name)
    {
        var hasher = Get(name);
        const string password = "correct horse battery staple";
        var parts = PinnedPhc.Split('$');

        string With(int index, string value)
        {
            var copy = (string[])parts.Clone();
            copy[index] = value;
            return string.Join('$', copy);
        }

        // Same length, other bits: a flipped salt or hash byte, or other costs.
        var salt = Convert.FromBase64String(parts[4] + "==");
        salt[0] ^= 1;
        var hash = Convert.FromBase64String(parts[5] + "=");
        hash[31] ^= 0x80;
        Assert.False(hasher.Verify(password, With(4, Convert.ToBase64String(salt).TrimEnd('='))));
        Assert.False(hasher.Verify(password, With(5, Convert.ToBase64String(hash).TrimEnd('='))));
        Assert.False(hasher.Verify(password, With(3, "m=1032,t=1,p=1")));
        Assert.False(hasher.Verify(password, With(3, "m=1024,t=2,p=1")));
        Assert.False(hasher.Verify(password, With(3, "m=1024,t=1,p=2")));

        // Out of range or malformed: a typed error, never another exception.
        Assert.Equal(PasswordHashFormatError.ParameterOutOfRange,
            Assert.Throws<PasswordHashFormatException>(() => hasher.Verify(password, With(3, "m=1024,t=100,p=1"))).Error);
        Assert.Equal(PasswordHashFormatError.Malformed,
            Assert.Throws<PasswordHashFormatException>(() => hasher.Verify(password, With(5, parts[5][..^2] + "!!"))).Error);
        Assert.Equal(PasswordHashFormatError.UnsupportedAlgorithm,
            Assert.Throws<PasswordHashFormatException>(() => hasher.Verify(password, With(1, "argon2i"))).Error);
    }

    [Fact]
    public void the_default_policy_hash_cross_verifies()
    {
        // The one test at full cost: OWASP's m=19456,t=2,p=1.
        var phc = SodiumArgon2idHasher.Instance.Hash("a password at the default cost", PasswordHashingPolicy.Default);

        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", phc, StringComparison.Ordinal);
        Assert.True(KonsciousArgon2idHasher.Instance.Verify("a password at the default cost", phc));
        Assert.False(PasswordHashingPolicy.Default.NeedsRehash(phc));
    }

    [Fact]
    public void a_policy_with_several_lanes_still_hashes_through_the_sodium_engine()
    {
        var policy = new PasswordHashingPolicy(1024, 1, 2);

        var phc = SodiumArgon2idHasher.Instance.Hash("four lanes of traffic", policy);

        Assert.StartsWith("$argon2id$v=19$m=1024,t=1,p=2$", phc, StringComparison.Ordinal);
        Assert.True(KonsciousArgon2idHasher.Instance.Verify("four lanes of traffic", phc));
    }

    [Fact]
    public void the_default_engine_is_libsodium_when_it_can_compute_the_policy()
    {
        Assert.Same(SodiumArgon2idHasher.Instance, PasswordHashers.CreateDefault(PasswordHashingPolicy.Default));
        Assert.Same(KonsciousArgon2idHasher.Instance, PasswordHashers.CreateDefault(new PasswordHashingPolicy(19456, 2, 2)));
    }

    [Fact]
    public void the_password_is_hashed_as_utf8_bytes()
    {
        // Interchangeability with other Argon2 tools: the input is the UTF-8 encoding, nothing else.
        var phc = KonsciousArgon2idHasher.Instance.Hash("é", Fast);
        var parsed = PasswordHash.Parse(phc);
        var tag = NSec.Cryptography.PasswordBasedKeyDerivationAlgorithm
            .Argon2id(new NSec.Cryptography.Argon2Parameters { DegreeOfParallelism = 1, MemorySize = 1024, NumberOfPasses = 1 })
            .DeriveBytes(Encoding.UTF8.GetBytes("é"), parsed.Salt, 32);
        Assert.Equal(parsed.Hash.ToArray(), tag);
    }
}
