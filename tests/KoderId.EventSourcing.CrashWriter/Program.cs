using System.Globalization;
using KoderId.EventSourcing.Postgres;
using KoderId.EventSourcing.Sqlite;
using KoderId.EventSourcing.Storage;

// Usage: CrashWriter <provider> <connection string>
// Appends batches of 5 events forever and prints "ack <last position> <stream> <stream version>" after each
// acknowledged commit. The durability test kills it with SIGKILL mid-stream and checks what survived.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: CrashWriter <sqlite|postgres> <connection string>");
    return 2;
}

IEventStore store = args[0] switch
{
    "sqlite" => new SqliteEventStore(new SqliteDatabase(args[1])),
    "postgres" => new PostgresEventStore(new PostgresDatabase(args[1])),
    _ => throw new ArgumentException($"unknown provider '{args[0]}'"),
};

const int BatchSize = 5;
var stdout = Console.Out;
for (var i = 0; ; i++)
{
    var stream = $"crash-{i % 37}";
    var events = Enumerable.Range(0, BatchSize)
        .Select(n => new UncommittedEvent("crash.tick.v1", $$"""{"i":{{i}},"n":{{n}},"pad":"{{new string('p', 200)}}"}""", EventMetadata.New("crash-writer")))
        .ToArray();
    var result = await store.AppendAsync(new AppendRequest("crash-tenant", stream, ExpectedVersion.Any, events));
    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ack {result.LastPosition} {stream} {result.StreamVersion}"));
    stdout.Flush();
}
