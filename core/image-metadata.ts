/**
 * A photo's metadata left out of the document the case keeps: a phone writes where it was taken (EXIF GPS, XMP), its
 * owner's name and the camera into every JPEG, and editors write authors and comments into PNG text chunks. A scan of
 * a survivor's passport photographed in a shelter would otherwise tell every agency that opens it where the shelter
 * is. The picture is kept byte for byte: only the metadata segments (JPEG) or chunks (PNG) are dropped, and a JPEG's
 * orientation, which says how to turn the picture upright, is kept in an EXIF of its own holding nothing else.
 * Content that is not laid out as its format says is kept as it came (it shows as no picture anyway).
 */

/** The document as kept: `content` without its metadata when it is a JPEG or PNG; anything else as it is. */
export function withoutImageMetadata(content: Buffer, mediaType: string): Buffer {
  if (mediaType === 'image/jpeg') return jpegWithoutMetadata(content) ?? content;
  if (mediaType === 'image/png') return pngWithoutMetadata(content) ?? content;
  return content;
}

const EXIF = Buffer.from('Exif\0\0', 'latin1');
/** What starts a JPEG segment that holds metadata, by marker: EXIF and XMP (APP1), IPTC (APP13), a comment (COM). */
const JPEG_METADATA: Partial<Record<number, Buffer[]>> = {
  0xe1: [EXIF, Buffer.from('http://ns.adobe.com/', 'latin1')],
  0xed: [Buffer.alloc(0)],
  0xfe: [Buffer.alloc(0)],
};
const SOS = 0xda;
/** Markers standing alone, with no length: TEM and the restart markers. */
const standsAlone = (marker: number) => marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);

/** The JPEG without its metadata segments, its orientation kept; undefined when it is not laid out as a JPEG. */
function jpegWithoutMetadata(content: Buffer): Buffer | undefined {
  if (content.length < 4 || content[0] !== 0xff || content[1] !== 0xd8) return undefined;
  const kept: Buffer[] = [content.subarray(0, 2)];
  let orientation: number | undefined;
  let at = 2;
  while (at < content.length) {
    if (content[at] !== 0xff) return undefined;
    const marker = content[at + 1]!;
    if (marker === 0xff) {
      at += 1; // a fill byte before the marker
      continue;
    }
    if (standsAlone(marker)) {
      kept.push(content.subarray(at, at + 2));
      at += 2;
      continue;
    }
    if (marker === 0xd9 || marker === SOS) break; // the picture's data (or its end) follows: kept as it is
    if (at + 4 > content.length) return undefined;
    const end = at + 2 + content.readUInt16BE(at + 2);
    if (end > content.length) return undefined;
    const segment = content.subarray(at, end);
    const payload = segment.subarray(4);
    if (JPEG_METADATA[marker]?.some((start) => payload.subarray(0, start.length).equals(start))) {
      if (marker === 0xe1 && payload.subarray(0, EXIF.length).equals(EXIF)) {
        orientation ??= orientationOf(payload.subarray(EXIF.length));
      }
    } else {
      kept.push(segment);
    }
    at = end;
  }
  kept.push(content.subarray(at));
  // The orientation goes right after SOI and any JFIF header (APP0), where an EXIF belongs.
  if (orientation !== undefined && orientation !== 1) {
    const afterHeader = kept[1]?.[1] === 0xe0 ? 2 : 1;
    kept.splice(afterHeader, 0, exifOfOrientation(orientation));
  }
  return Buffer.concat(kept);
}

const ORIENTATION_TAG = 0x0112;

/** The Orientation (1 to 8) of an EXIF's first directory (`tiff`: its TIFF header onwards), if it has one. */
function orientationOf(tiff: Buffer): number | undefined {
  if (tiff.length < 8) return undefined;
  const big = tiff.toString('latin1', 0, 2) === 'MM';
  const u16 = (at: number) => (big ? tiff.readUInt16BE(at) : tiff.readUInt16LE(at));
  const u32 = (at: number) => (big ? tiff.readUInt32BE(at) : tiff.readUInt32LE(at));
  const directory = u32(4);
  if (directory + 2 > tiff.length) return undefined;
  for (let entry = 0; entry < u16(directory); entry += 1) {
    const at = directory + 2 + entry * 12;
    if (at + 12 > tiff.length) return undefined;
    if (u16(at) === ORIENTATION_TAG) {
      const value = u16(at + 8);
      return value >= 1 && value <= 8 ? value : undefined;
    }
  }
  return undefined;
}

/** An APP1 segment holding an EXIF with the orientation alone (big-endian TIFF, one directory of one entry). */
function exifOfOrientation(orientation: number): Buffer {
  const tiff = Buffer.alloc(26);
  tiff.write('MM', 0, 'latin1');
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(8, 4); // the first directory, right after the header
  tiff.writeUInt16BE(1, 8); // one entry
  tiff.writeUInt16BE(ORIENTATION_TAG, 10);
  tiff.writeUInt16BE(3, 12); // SHORT
  tiff.writeUInt32BE(1, 14); // one value
  tiff.writeUInt16BE(orientation, 18); // held in the entry itself; 20 to 25: padding, then no next directory
  const header = Buffer.alloc(4);
  header.writeUInt16BE(0xffe1, 0);
  header.writeUInt16BE(2 + EXIF.length + tiff.length, 2);
  return Buffer.concat([header, EXIF, tiff]);
}

const PNG_SIGNATURE = Buffer.from('89504e470d0a1a0a', 'hex');
/** PNG chunks that hold metadata: EXIF, and text (an author, a comment, XMP) plain, international or compressed. */
const PNG_METADATA = new Set(['eXIf', 'tEXt', 'iTXt', 'zTXt']);

/** The PNG without its metadata chunks; undefined when it is not laid out as a PNG. */
function pngWithoutMetadata(content: Buffer): Buffer | undefined {
  if (!content.subarray(0, 8).equals(PNG_SIGNATURE)) return undefined;
  const kept: Buffer[] = [content.subarray(0, 8)];
  let at = 8;
  while (at + 12 <= content.length) {
    const end = at + 12 + content.readUInt32BE(at);
    if (end > content.length) return undefined;
    const type = content.toString('latin1', at + 4, at + 8);
    if (!PNG_METADATA.has(type)) kept.push(content.subarray(at, end));
    at = end;
    if (type === 'IEND') break;
  }
  kept.push(content.subarray(at)); // anything after the picture's end, as it came
  return Buffer.concat(kept);
}
