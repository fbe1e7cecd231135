using System.Security.Cryptography;
using System.Text;

namespace KoderId.Application.Credentials;

/// <summary>
/// The PHC handling shared by the Argon2id engines; a subclass only derives bytes.
/// </summary>
/// <remarks>
/// The password is hashed as its UTF-8 bytes, unnormalised. NIST 800-63B suggests NFKC before hashing, but
/// the host runs with invariant globalization, where <see cref="string.Normalize()"/> leaves non-ASCII text
/// unchanged: normalising here would make a stored hash depend on a runtime switch, and hashes imported
/// from other Argon2 tools (which hash raw bytes) would stop verifying. The policy check normalises instead.
/// An empty password is never hashed and never verifies.
/// </remarks>
public abstract class Argon2idHasher : IPasswordHasher
{
    public abstract string Name { get; }

    public string Hash(string password, PasswordHashingPolicy policy)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        ArgumentNullException.ThrowIfNull(policy);
        var parameters = policy.Parameters;
        var salt = RandomNumberGenerator.GetBytes(PasswordHashingPolicy.SaltBytes);
        var hash = new byte[PasswordHashingPolicy.HashBytes];
        WithUtf8(password, bytes => Derive(bytes, salt, parameters, hash));
        return PasswordHash.Create(parameters, salt, hash).ToString();
    }

    public bool Verify(string password, string stored)
    {
        ArgumentNullException.ThrowIfNull(password);
        var expected = PasswordHash.Parse(stored);

        // No policy admits an empty password, and Konscious cannot compute one: it never matches.
        if (password.Length == 0)
        {
            return false;
        }

        var actual = new byte[expected.Hash.Length];
        var salt = expected.Salt.ToArray();
        WithUtf8(password, bytes => Derive(bytes, salt, expected.Parameters, actual));
        return CryptographicOperations.FixedTimeEquals(actual, expected.Hash);
    }

    /// <summary>Fills <paramref name="output"/> with the Argon2id v1.3 tag of <paramref name="password"/>.</summary>
    protected abstract void Derive(byte[] password, byte[] salt, Argon2idParameters parameters, byte[] output);

    private static void WithUtf8(string password, Action<byte[]> use)
    {
        // A pinned, zeroed-after-use copy: the bytes of a password should not linger in the heap.
        var bytes = GC.AllocateArray<byte>(Encoding.UTF8.GetByteCount(password), pinned: true);
        try
        {
            Encoding.UTF8.GetBytes(password, bytes);
            use(bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }
}
