namespace KoderId.Application.Common;

/// <summary>What a write command answers: the aggregate, its stream version after the command (an ETag), and whether anything was appended.</summary>
public sealed record CommandResult(string Id, long Version, bool Changed);
