using QRCoder;

namespace KoderId.Application.Mfa;

/// <summary>
/// The QR code of an <c>otpauth://</c> URI, as PNG and SVG (QRCoder). Error correction M, the usual choice for
/// a code shown on a screen; the 4-module quiet zone the standard asks for is included.
/// </summary>
public static class TotpQrCode
{
    /// <summary>Pixels (PNG) or user units (SVG) per module.</summary>
    public const int PixelsPerModule = 5;

    /// <summary>How many modules wide the picture is, quiet zone included (the PNG is this times <see cref="PixelsPerModule"/> pixels square).</summary>
    public static int Modules(string otpAuthUri)
    {
        using var data = Data(otpAuthUri);
        return data.ModuleMatrix.Count;
    }

    public static byte[] Png(string otpAuthUri)
    {
        using var data = Data(otpAuthUri);
        return new PngByteQRCode(data).GetGraphic(PixelsPerModule);
    }

    public static string Svg(string otpAuthUri)
    {
        using var data = Data(otpAuthUri);
        return new SvgQRCode(data).GetGraphic(PixelsPerModule);
    }

    private static QRCodeData Data(string otpAuthUri)
    {
        ArgumentException.ThrowIfNullOrEmpty(otpAuthUri);
        return QRCodeGenerator.GenerateQrCode(otpAuthUri, QRCodeGenerator.ECCLevel.M);
    }
}
