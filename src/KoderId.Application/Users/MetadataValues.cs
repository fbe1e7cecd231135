namespace KoderId.Application.Users;

/// <summary>How metadata values travel in JSON: bytes as base64, the standard or the URL-safe alphabet, padded or not (protobuf JSON accepts both, so Zitadel's exports and API may carry either).</summary>
public static class MetadataValues
{
    public static bool TryDecode(string? value, out byte[] bytes)
    {
        bytes = [];
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > 4 * 1024 * 1024)
        {
            return false;
        }

        var standard = trimmed.Replace('-', '+').Replace('_', '/');
        standard = standard.PadRight(standard.Length + ((4 - (standard.Length % 4)) % 4), '=');
        var buffer = new byte[(standard.Length / 4 * 3) + 3];
        if (!Convert.TryFromBase64String(standard, buffer, out var written))
        {
            return false;
        }

        bytes = buffer[..written];
        return true;
    }
}
