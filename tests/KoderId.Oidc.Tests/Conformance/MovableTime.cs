using KoderId.Application.Common;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Oidc.Tests.Conformance;

/// <summary>The host's <see cref="TimeProvider"/> and <see cref="IClock"/> (one time for protocol and domain), moved by the test (auth_time, max_age, prompt=login) instead of waiting.</summary>
internal sealed class MovableTime : TimeProvider, IClock
{
    private long _ticks = DateTimeOffset.UtcNow.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public DateTimeOffset UtcNow => GetUtcNow();

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    public void Register(IServiceCollection services) => services.AddSingleton<TimeProvider>(this).AddSingleton<IClock>(this);
}

/// <summary>One host for a whole test class (each test uses its own browser, so cookies never cross): the expensive part is the host.</summary>
public sealed class SharedOidcHost : IAsyncLifetime
{
    internal MovableTime Time { get; } = new();

    internal OidcHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await OidcHost.StartAsync(services: Time.Register);

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
