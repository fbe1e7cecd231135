namespace KoderId.Application.Credentials;

/// <summary>
/// Admits at most <c>maxConcurrency</c> password hash computations at once, lets a few more callers wait
/// briefly, and refuses the rest with <see cref="PasswordHashingBusyException"/>.
/// </summary>
/// <remarks>
/// ARCHITECTURE.md §5. Each Argon2id computation holds tens of MiB (19 MiB at the default policy) for tens of
/// milliseconds: without a bound, a burst of login attempts is an out-of-memory attack, and even before
/// that every request slows down together. Refusing early with a Retry-After keeps memory at
/// <c>maxConcurrency × m</c> and latency flat for the requests that are admitted. Waiting callers hold
/// no hash memory, so the queue only costs a task each; it is bounded anyway so refusals are immediate.
/// </remarks>
public sealed class PasswordHashingGate : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly int _capacity;
    private int _admitted;

    public PasswordHashingGate(int maxConcurrency, int maxQueued, TimeSpan maxWait, TimeSpan retryAfter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxQueued);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWait, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(retryAfter, TimeSpan.Zero);
        MaxConcurrency = maxConcurrency;
        MaxQueued = maxQueued;
        MaxWait = maxWait;
        RetryAfter = retryAfter;
        _capacity = maxConcurrency + maxQueued;
        _slots = new SemaphoreSlim(maxConcurrency, maxConcurrency);
    }

    public int MaxConcurrency { get; }

    public int MaxQueued { get; }

    public TimeSpan MaxWait { get; }

    public TimeSpan RetryAfter { get; }

    /// <summary>Callers computing or waiting right now.</summary>
    public int Admitted => Volatile.Read(ref _admitted);

    /// <summary>
    /// One computation per processor; 32 per processor waiting, for up to two seconds; retry after one second. A
    /// waiting caller holds no hash memory, only a task: the queue absorbs a burst of sign-ins (a password login is a
    /// few requests, each refused one costs the client a round trip and a retry) while the wait bound still sheds
    /// load the processors cannot serve within two seconds.
    /// </summary>
    public static PasswordHashingGate CreateDefault() =>
        new(Environment.ProcessorCount, 32 * Environment.ProcessorCount, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));

    /// <summary>
    /// Waits for a slot. Throws <see cref="PasswordHashingBusyException"/> at once when the queue is full, or
    /// after <see cref="MaxWait"/> without a slot. Dispose the lease when the computation is done.
    /// </summary>
    public async ValueTask<Lease> EnterAsync(CancellationToken ct)
    {
        if (Interlocked.Increment(ref _admitted) > _capacity)
        {
            Interlocked.Decrement(ref _admitted);
            throw new PasswordHashingBusyException(RetryAfter);
        }

        bool entered;
        try
        {
            entered = await _slots.WaitAsync(MaxWait, ct).ConfigureAwait(false);
        }
        catch
        {
            Interlocked.Decrement(ref _admitted);
            throw;
        }

        if (!entered)
        {
            Interlocked.Decrement(ref _admitted);
            throw new PasswordHashingBusyException(RetryAfter);
        }

        return new Lease(this);
    }

    public void Dispose() => _slots.Dispose();

    private void Exit()
    {
        _slots.Release();
        Interlocked.Decrement(ref _admitted);
    }

    /// <summary>A held slot; disposing it more than once releases once.</summary>
    public sealed class Lease : IDisposable
    {
        private PasswordHashingGate? _gate;

        internal Lease(PasswordHashingGate gate) => _gate = gate;

        public void Dispose() => Interlocked.Exchange(ref _gate, null)?.Exit();
    }
}

/// <summary>
/// Password hashing is at capacity. The API answers <c>503</c> with <c>Retry-After</c> from
/// <see cref="RetryAfter"/>; nothing about the request or the password is in the message.
/// </summary>
public sealed class PasswordHashingBusyException(TimeSpan retryAfter)
    : Exception($"{Code} password.hashing_busy: password hashing is at capacity; retry after {Math.Ceiling(retryAfter.TotalSeconds)} s.")
{
    public const string Code = "KID1106";

    public TimeSpan RetryAfter { get; } = retryAfter;

    /// <summary>Whole seconds for the <c>Retry-After</c> header, at least one.</summary>
    public int RetryAfterSeconds => Math.Max(1, (int)Math.Ceiling(RetryAfter.TotalSeconds));
}
