using KoderId.Events.Tenants;

namespace KoderId.Application.Tenants;

/// <summary>
/// A tenant's settings as the read side holds them (the composition root supplies the projection-backed one).
/// A tenant that never changed its settings, or does not exist, answers <see cref="TenantSettings.Default"/>.
/// </summary>
public interface ITenantSettingsProvider
{
    ValueTask<TenantSettings> GetAsync(string tenantId, CancellationToken ct = default);
}
