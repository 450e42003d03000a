/**
 * Largest image we decode: 16 megapixels, e.g. a 3840×2160 (4K) viewport or a 1920×8000 full-page shot. Checked
 * from the header, before any allocation, so a 60000×60000 "bomb" costs nothing. jpeg-js holds every 8×8 block as
 * its own typed array, so a decode peaks at about 21 bytes per pixel for Chromium's 4:2:0 JPEGs and 35 for 4:4:4:
 * measured on one-colour JPEGs at this cap, 370–400 MB and 580–620 MB peak RSS (at 40 MP: 0.8 and 1.35 GB).
 */
export const MAX_PIXELS = 16_000_000;
export const MAX_SIDE = 32_767;
/**
 * Scans one JPEG may hold. jpeg-js walks every block of the frame once per scan, even when the scan codes nothing,
 * so scans multiply the decode time; encoders write 1 (baseline) to about 10 (progressive).
 */
export const MAX_JPEG_SCANS = 64;
