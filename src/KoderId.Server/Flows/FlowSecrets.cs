using KoderId.Application.Flows;
using KoderId.Server.Configuration;
using Microsoft.AspNetCore.DataProtection;

namespace KoderId.Server.Flows;

/// <summary><see cref="IFlowSecrets"/> on ASP.NET Core Data Protection (<see cref="UrlSafeProtector"/>).</summary>
internal sealed class FlowSecrets(IDataProtectionProvider provider) : IFlowSecrets
{
    private readonly UrlSafeProtector _protector = new(provider, "KoderId.Flows.Secrets.v1");

    public string Seal(byte[] payload) => _protector.Seal(payload);

    public byte[]? Unseal(string sealedPayload) => _protector.Unseal(sealedPayload);
}
