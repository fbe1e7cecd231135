using KoderId.Server.Auth;
using KoderId.Server.Storage;
using Microsoft.Extensions.Options;

namespace KoderId.Server.Configuration;

/// <summary>
/// Resolves everything built from configuration before the host starts, so a bad value ends start-up with one
/// readable line (exit code 2) instead of a stack trace from somewhere inside the host.
/// </summary>
public static class StartupCheck
{
    public const int ConfigurationErrorExitCode = 2;

    /// <summary>The problems found, one line each; empty when the host may start.</summary>
    public static IReadOnlyList<string> Run(IServiceProvider services)
    {
        try
        {
            _ = services.GetRequiredService<StorageBackend>();
            _ = services.GetService<BootstrapAdminKey>();
            _ = services.GetService<KoderId.Oidc.Keys.IKeyEncryptionKeyProvider>();
            _ = services.GetService<IOptions<KoderId.Oidc.Keys.KeyOptions>>()?.Value;
            _ = services.GetService<IOptions<KoderId.Server.Email.EmailOptions>>()?.Value;
            return [];
        }
        catch (OptionsValidationException ex)
        {
            return ex.Failures.Select(Line).ToArray();
        }
        catch (ConfigurationException ex)
        {
            return [Line(ex.Message)];
        }
    }

    private static string Line(string message) => "Configuration error: " + message.ReplaceLineEndings(" ");
}
