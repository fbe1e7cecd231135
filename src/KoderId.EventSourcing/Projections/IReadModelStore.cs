using System.Data.Common;

namespace KoderId.EventSourcing.Projections;

/// <summary>What a driver offers the read side: connections to the read-model database, the append lock and leases.</summary>
public interface IReadModelStore
{
    SqlDialect Dialect { get; }

    Task<DbConnection> OpenConnectionAsync(CancellationToken ct = default);

    /// <summary>Begins a transaction during which no append can commit: a rebuild swaps its tables in one.</summary>
    Task<IExclusiveScope> BeginExclusiveAsync(DbConnection connection, CancellationToken ct = default);

    /// <summary>Takes the named lease so one node runs an async projection; null when another node holds it.</summary>
    Task<IAsyncDisposable?> TryAcquireLeaseAsync(string name, CancellationToken ct = default);
}

public interface IExclusiveScope : IAsyncDisposable
{
    DbTransaction Transaction { get; }

    Task CommitAsync(CancellationToken ct = default);
}
