using KoderId.Application.Common;
using KoderId.Application.Mfa;
using KoderId.Application.Tenants;
using KoderId.Application.Tests.Users;
using KoderId.Application.Users;
using KoderId.Events.Mfa;
using KoderId.EventSourcing.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace KoderId.Application.Tests.Mfa;

/// <summary>Single use of a TOTP step and of a recovery code on the embedded driver's real transactions.</summary>
public sealed class SqliteMfaConcurrencyTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "koderid-mfa-" + Guid.NewGuid().ToString("N"));
    private readonly Clock _clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 10, TimeSpan.Zero));
    private WriteSide _app = null!;
    private string _alice = "";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        var database = new SqliteDatabase($"Data Source={Path.Combine(_folder, "koderid.db")}");
        await database.InitializeAsync();
        _app = new WriteSide(new SqliteEventStore(database), new SqliteSubjectKeyStore(database), configure: s => s.AddSingleton<IClock>(_clock));
        await _app.SendAsync(new CreateTenant("acme", "Acme"));
        _alice = (await _app.SendAsync(new CreateUser("acme", "alice", "alice@example.com"))).UserId;
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        KoderId.EventSourcing.Sqlite.SqliteConnections.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task of_twenty_concurrent_sign_ins_with_one_totp_code_exactly_one_succeeds()
    {
        var secret = (await _app.SendAsync(new StartTotpEnrolment("acme", _alice))).Secret;
        await _app.SendAsync(new ConfirmTotp("acme", _alice, TotpCodes.CodeAt(secret, TotpCodes.StepAt(_clock.UtcNow))));
        _clock.UtcNow = _clock.UtcNow.AddMinutes(1);
        var code = TotpCodes.CodeAt(secret, TotpCodes.StepAt(_clock.UtcNow));

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => _app.SendAsync(new VerifyTotp("acme", _alice, code)))));

        Assert.Equal(1, results.Count(r => r));
        Assert.Single((await _app.ReadStreamAsync("acme", $"mfa-acme-{_alice}")).Select(e => e.Event).OfType<TotpCodeUsed>());
    }

    [Fact]
    public async Task of_twenty_concurrent_uses_of_one_recovery_code_exactly_one_succeeds()
    {
        var set = await _app.SendAsync(new GenerateRecoveryCodes("acme", _alice));

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => _app.SendAsync(new UseRecoveryCode("acme", _alice, set.Codes[7])))));

        Assert.Equal(1, results.Count(r => r));
        Assert.Equal(new RecoveryCodeUsed(_alice, 7), Assert.Single((await _app.ReadStreamAsync("acme", $"mfa-acme-{_alice}")).Select(e => e.Event).OfType<RecoveryCodeUsed>()));
    }

    private sealed class Clock(DateTimeOffset now) : IClock
    {
        public DateTimeOffset UtcNow { get; set; } = now;
    }
}
