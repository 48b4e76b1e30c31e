/* cli/report_esc.h - escaping of untrusted strings for the reports and the terminal. */
#ifndef SD_CLI_REPORT_ESC_H
#define SD_CLI_REPORT_ESC_H

#include <stddef.h>
#include <stdio.h>

/*
 * Both escapers read s[0..n) as untrusted bytes (a packet's SNI, a certificate's subject,
 * a proxy's reason phrase) and write it so that it shows as the same text and nothing
 * else.  Common to both: a byte that is not part of valid UTF-8, a C0 control, DEL and a
 * C1 control (U+0080..U+009F; the lone byte 0x9b, the 8-bit CSI, is invalid UTF-8) are
 * written visibly as \xNN; invisible format characters that reorder or hide text
 * (U+200B..U+200F, U+202A..U+202E, U+2060..U+2069, U+FEFF) as \u{NNNN}.  So no terminal
 * sequence, bidirectional override or NUL survives into the file.
 *
 * HTML (text and attribute values alike): & < > " ' become character references.
 *
 * Markdown (GitHub-flavoured, and python-markdown): the ASCII punctuation both read as
 * markup is backslash-escaped; the characters that one of them does not unescape (< > &
 * " ' | ~ and the rest of ASCII punctuation) become numeric character references, which
 * neither reads as structure (a table cell, a tag, a link).  Autolinks are broken with a
 * zero-width space written as &#8203;: after "://" (http://x), after "www." and after
 * "@", as a renderer recognises them on the text after references are decoded.
 */
void	sd_out_esc_html(FILE *, const char *s, size_t n);
/* Only what both replace visibly (controls, bad bytes, invisible characters), the rest as
 * it is: for a Markdown code span, where nothing else is read as markup. */
void	sd_out_esc_ctl(FILE *, const char *s, size_t n);
void	sd_out_esc_md(FILE *, const char *s, size_t n);
/* The terminal's escaper is sd_out_esc_ctl(): the length in bytes of the next character of
 * s[0..n) (n > 0) and, in *cols, the columns sd_out_esc_ctl() writes for it. */
size_t	sd_out_esc_ctl_next(const char *s, size_t n, size_t *cols);

#endif /* SD_CLI_REPORT_ESC_H */
