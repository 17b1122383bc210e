/* html-assets.h - the inline CSS and JS of the HTML report (html.c). */
#ifndef SLIM_HTML_ASSETS_H
#define SLIM_HTML_ASSETS_H
extern const char html_css[];
extern const char html_js[];
#endif
