namespace KoderId.Server.Configuration;

/// <summary>
/// A setting the host cannot start with. The message names the setting and is printed as one line to stderr;
/// it never holds a secret (a connection string is described by its key, never echoed).
/// </summary>
public sealed class ConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
