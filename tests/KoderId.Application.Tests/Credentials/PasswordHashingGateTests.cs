using KoderId.Application.Credentials;

namespace KoderId.Application.Tests.Credentials;

public sealed class PasswordHashingGateTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task past_the_slots_and_the_queue_a_call_is_refused_with_a_retry_after_and_the_gate_recovers()
    {
        using var gate = new PasswordHashingGate(maxConcurrency: 1, maxQueued: 1, maxWait: Long, retryAfter: TimeSpan.FromSeconds(3));
        var hasher = new BlockingHasher();
        var service = new PasswordHashingService(hasher, gate);
        var policy = new PasswordHashingPolicy(1024, 1, 1);

        var running = Task.Run(async () => await service.HashAsync("first", policy, CancellationToken.None));
        await hasher.Started.WaitAsync(Long);
        var queued = Task.Run(async () => await service.HashAsync("second", policy, CancellationToken.None));
        await WaitUntil(() => gate.Admitted == 2);

        var refused = await Assert.ThrowsAsync<PasswordHashingBusyException>(async () => await service.HashAsync("third", policy, CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(3), refused.RetryAfter);
        Assert.Equal(3, refused.RetryAfterSeconds);
        Assert.StartsWith("KID1106", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("third", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, hasher.Calls);

        hasher.Release();
        Assert.Equal("hash-of-first", await running.WaitAsync(Long));
        Assert.Equal("hash-of-second", await queued.WaitAsync(Long));
        Assert.Equal(0, gate.Admitted);

        // Nothing leaked: the full capacity is available again.
        var again = Task.Run(async () => await service.HashAsync("fourth", policy, CancellationToken.None));
        var andAgain = Task.Run(async () => await service.HashAsync("fifth", policy, CancellationToken.None));
        Assert.Equal("hash-of-fourth", await again.WaitAsync(Long));
        Assert.Equal("hash-of-fifth", await andAgain.WaitAsync(Long));
        Assert.Equal(0, gate.Admitted);
    }

    [Fact]
    public async Task a_caller_that_waits_too_long_is_refused_and_gives_its_place_back()
    {
        using var gate = new PasswordHashingGate(1, 1, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1));
        var held = await gate.EnterAsync(CancellationToken.None);

        await Assert.ThrowsAsync<PasswordHashingBusyException>(async () => await gate.EnterAsync(CancellationToken.None));
        Assert.Equal(1, gate.Admitted);

        held.Dispose();
        held.Dispose();
        Assert.Equal(0, gate.Admitted);
        using var next = await gate.EnterAsync(CancellationToken.None);
        Assert.Equal(1, gate.Admitted);
    }

    [Fact]
    public async Task a_cancelled_waiter_gives_its_place_back()
    {
        using var gate = new PasswordHashingGate(1, 1, Long, TimeSpan.FromSeconds(1));
        using var held = await gate.EnterAsync(CancellationToken.None);
        using var cts = new CancellationTokenSource();

        var waiting = gate.EnterAsync(cts.Token).AsTask();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(1, gate.Admitted);
    }

    [Fact]
    public async Task a_failing_hasher_releases_its_slot()
    {
        using var gate = new PasswordHashingGate(1, 0, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        var service = new PasswordHashingService(new ThrowingHasher(), gate);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await service.HashAsync("x", PasswordHashingPolicy.Default, CancellationToken.None));

        Assert.Equal(0, gate.Admitted);
    }

    [Fact]
    public async Task verify_reports_success_failure_and_a_needed_rehash()
    {
        using var gate = PasswordHashingGate.CreateDefault();
        var service = new PasswordHashingService(SodiumArgon2idHasher.Instance, gate);
        var old = new PasswordHashingPolicy(1024, 1, 1);
        var current = new PasswordHashingPolicy(2048, 1, 1);
        var phc = await service.HashAsync("a long enough password", old, CancellationToken.None);

        Assert.Equal(PasswordVerification.Succeeded, await service.VerifyAsync("a long enough password", phc, old, CancellationToken.None));
        Assert.Equal(PasswordVerification.SucceededRehashNeeded, await service.VerifyAsync("a long enough password", phc, current, CancellationToken.None));
        Assert.Equal(PasswordVerification.Failed, await service.VerifyAsync("another password", phc, current, CancellationToken.None));
        await Assert.ThrowsAsync<PasswordHashFormatException>(async () => await service.VerifyAsync("x", "$argon2id$broken", current, CancellationToken.None));
        Assert.Equal(0, gate.Admitted);
    }

    [Fact]
    public void the_default_gate_admits_one_hash_per_processor()
    {
        using var gate = PasswordHashingGate.CreateDefault();

        Assert.Equal(Environment.ProcessorCount, gate.MaxConcurrency);
        Assert.True(gate.MaxQueued > 0);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Long);
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    private sealed class BlockingHasher : IPasswordHasher
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ManualResetEventSlim _release = new();
        private int _calls;

        public string Name => "blocking";

        public Task Started => _started.Task;

        public int Calls => Volatile.Read(ref _calls);

        public void Release() => _release.Set();

        public string Hash(string password, PasswordHashingPolicy policy)
        {
            Interlocked.Increment(ref _calls);
            _started.TrySetResult();
            _release.Wait(Long);
            return "hash-of-" + password;
        }

        public bool Verify(string password, string stored) => false;
    }

    private sealed class ThrowingHasher : IPasswordHasher
    {
        public string Name => "throwing";

        public string Hash(string password, PasswordHashingPolicy policy) => throw new InvalidOperationException("engine failure");

        public bool Verify(string password, string stored) => throw new InvalidOperationException("engine failure");
    }
}
