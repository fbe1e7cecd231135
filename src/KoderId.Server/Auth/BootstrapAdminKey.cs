using System.Security.Cryptography;
using System.Text;
using KoderId.Server.Configuration;

namespace KoderId.Server.Auth;

/// <summary>
/// The optional system-admin bearer key of <c>KoderId:Bootstrap:AdminKey</c> (for automation). Only its
/// SHA-256 digest is kept; a presented key is hashed and compared in constant time, so neither its length
/// nor a matching prefix shows in the timing.
/// </summary>
public sealed class BootstrapAdminKey
{
    public const string Setting = "KoderId:Bootstrap:AdminKey";
    public const int MinimumLength = 32;

    private readonly byte[]? _digest;

    private BootstrapAdminKey(byte[]? digest) => _digest = digest;

    public bool IsConfigured => _digest is not null;

    /// <summary>Throws <see cref="ConfigurationException"/> naming the setting (never the value) when it is too short.</summary>
    public static BootstrapAdminKey From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var key = configuration[Setting];
        if (string.IsNullOrEmpty(key))
        {
            return new BootstrapAdminKey(null);
        }

        if (key.Length < MinimumLength)
        {
            throw new ConfigurationException($"{Setting} must be at least {MinimumLength} characters.");
        }

        return new BootstrapAdminKey(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    public bool Matches(string presented)
    {
        ArgumentNullException.ThrowIfNull(presented);
        if (_digest is null)
        {
            return false;
        }

        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        return CryptographicOperations.FixedTimeEquals(digest, _digest);
    }
}
