namespace SynCo.ML.Data;

/// <summary>
/// Finds JPEG files cut short inside their image data, which ImageSharp 2 decodes without an error (the missing
/// blocks come out grey or black), while PIL refuses them ("image file is truncated").
/// </summary>
internal static class JpegEnd
{
    /// <summary>
    /// Why <paramref name="file"/> is a truncated JPEG, or null when it is not a JPEG or its data ends with the
    /// end-of-image marker.
    /// </summary>
    /// <remarks>
    /// The marker segments are walked from the start of the file to the first start-of-scan marker, so markers inside
    /// APP segments (an EXIF thumbnail has its own end-of-image marker) are not taken for the image's. After that the
    /// entropy-coded data cannot contain FF D9 (FF bytes are stuffed), so FF D9 anywhere later is the end of the image;
    /// bytes after it are allowed, as decoders ignore them.
    /// </remarks>
    public static string? Truncation(ReadOnlySpan<byte> file)
    {
        if (file.Length < 2 || file[0] != 0xFF || file[1] != 0xD8)
            return null; // not a JPEG: its own decoder judges it
        int i = 2;
        while (true)
        {
            while (i < file.Length && file[i] == 0xFF && i + 1 < file.Length && file[i + 1] == 0xFF)
                i++; // fill bytes before a marker
            if (i + 1 >= file.Length)
                return "The JPEG file is truncated: it ends in its headers, before the image data.";
            if (file[i] != 0xFF)
                return null; // not a marker where one must be: leave the verdict to the decoder
            byte marker = file[i + 1];
            if (marker == 0xDA)
                break;
            if (marker == 0xD9)
                return null; // an end-of-image before any image data: the decoder reports what is wrong
            if (marker == 0x01 || marker is >= 0xD0 and <= 0xD7)
            {
                i += 2; // markers without a length
                continue;
            }
            if (i + 3 >= file.Length)
                return "The JPEG file is truncated: it ends in its headers, before the image data.";
            i += 2 + (file[i + 2] << 8 | file[i + 3]);
        }
        ReadOnlySpan<byte> endOfImage = stackalloc byte[] { 0xFF, 0xD9 };
        return file[i..].IndexOf(endOfImage) >= 0
            ? null
            : "The JPEG file is truncated: it ends inside the image data, before the end-of-image marker (FF D9), " +
              "so part of the image is missing.";
    }
}
