using System.Threading.Channels;

namespace KoderId.Application.Email;

/// <summary>
/// Messages waiting for the host's delivery loop. A request never waits on SMTP: the answer's timing does not
/// depend on whether a mail was sent (a password reset for an unknown address answers as fast as for a known
/// one) and an SMTP outage does not hold requests. Bounded: past <see cref="Capacity"/> a message is dropped
/// and counted rather than growing memory without limit.
/// </summary>
public sealed class EmailOutbox
{
    public const int Capacity = 10_000;

    private readonly Channel<EmailMessage> _channel = Channel.CreateBounded<EmailMessage>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private long _dropped;

    public ChannelReader<EmailMessage> Reader => _channel.Reader;

    public long Dropped => Interlocked.Read(ref _dropped);

    public void Enqueue(EmailMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!_channel.Writer.TryWrite(message))
        {
            Interlocked.Increment(ref _dropped);
        }
    }
}
