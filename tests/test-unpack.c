/*
 * test-unpack.c - the archive and image reader (pipeline/unpack*.c,
 * deploy.h) against what other tools make and unpack in the same run:
 *   - tar (plain, gzip, xz, zstd, bzip2, v7) of a tree of this machine's
 *     files (libz, ls and a hardlink to it, in-root and absolute symlinks,
 *     modes 0755/0644/0600, an empty directory): the unpacked tree lists
 *     the same as the source (find: type, mode, size, link target), the
 *     same bytes (diff -r --no-dereference), the hardlink one inode;
 *   - a real wheel (Debian's pip wheel), a zip of an installed package
 *     and a zipapp with a shebang line: the same tree as unzip's / Python
 *     zipfile's extraction;
 *   - an OCI layout of two layers made with umoci (layer 2 deletes a file,
 *     overwrites another, adds one): the same tree as `umoci unpack`, and
 *     the hidden list equal to what layer 2's tar (listed with tar -tv)
 *     whites out or writes again over layer 1's, with layer 1's bytes;
 *     the same image as a tarball (oci-archive) and as `docker save`'s
 *     format (skopeo copy docker-archive:), and a docker-save tar made by
 *     hand with an opaque directory;
 *   - hostile archives made with Python's tarfile: "../x", "/etc/x", a
 *     symlink out of the root then a file through it, hardlinks out and to
 *     themselves, device and fifo members -- one warning each naming the
 *     member, nothing outside the private directory, the rest unpacked;
 *     a truncated .tar.gz, a 2 GiB gzip bomb and a member declaring 10 GB
 *     -- one error naming the file or member, nothing left on disk.
 */
#include "testutil.h"
#include "../common/diag.h"
#include "../pipeline/deploy.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>

static char *T;   /* this test's directory; TMPDIR of the unpacks */
static char *kept[256];   /* strings the helpers return, freed after the test */
static size_t nkept;

static char *keep(char *s)
{
	cr_assert(nkept < sizeof kept / sizeof *kept);
	return kept[nkept++] = s;
}

static void setup(void)
{
	T = test_tmpdir();
}

static void teardown(void)
{
	struct buf b = BUF_INIT;
	run_fmt(&b, "rm -rf '%s'", T);
	buf_free(&b);
	free(T);
	while (nkept)
		free(kept[--nkept]);
}

TestSuite(unpack, .init = setup, .fini = teardown, .timeout = 300);

/* Run a shell command in T; it must succeed. */
static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	struct buf cmd = BUF_INIT, out = BUF_INIT;
	va_list ap;
	buf_printf(&cmd, "cd '%s' && { ", T);
	va_start(ap, fmt);
	buf_vprintf(&cmd, fmt, ap);
	va_end(ap);
	buf_printf(&cmd, "; } 2>&1");
	int rc = run_capture(buf_cstr(&cmd), &out);
	cr_assert_eq(rc, 0, "failed (%d): %s\n%s", rc, buf_cstr(&cmd), buf_cstr(&out));
	buf_free(&cmd);
	buf_free(&out);
}

/* stdout of a shell command run in T, as a new string. */
static char *out_of(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *out_of(const char *fmt, ...)
{
	struct buf cmd = BUF_INIT, out = BUF_INIT;
	va_list ap;
	buf_printf(&cmd, "cd '%s' && ", T);
	va_start(ap, fmt);
	buf_vprintf(&cmd, fmt, ap);
	va_end(ap);
	run_capture(buf_cstr(&cmd), &out);
	buf_free(&cmd);
	char *s = keep(strdup(buf_cstr(&out)));
	buf_free(&out);
	return s;
}

/* What find says of a tree: path, type, mode, size of files, link
 * targets; sorted. */
static char *listing(const char *dir)
{
	return out_of("cd '%s' && find . -mindepth 1 \\( -type f -printf '%%P f %%m %%s %%n\\n' \\) "
		      "-o \\( -type l -printf '%%P l %%l\\n' \\) -o \\( -type d -printf '%%P d %%m\\n' \\) "
		      "-o -printf '%%P other\\n' | LC_ALL=C sort", dir);
}

/* The two trees list the same and hold the same bytes. */
static void same_tree(const char *want, const char *got)
{
	char *a = listing(want), *b = listing(got);
	cr_assert(*a, "empty listing of %s", want);
	cr_assert_str_eq(b, a, "unpacked tree %s differs from %s:\n--- want\n%s--- got\n%s",
			 got, want, a, b);
	sh("diff -r --no-dereference '%s' '%s'", want, got);
}

/* Nothing under T but the names given (space separated, sorted). */
static void only_in_T(const char *names)
{
	char *s = out_of("ls -A | LC_ALL=C sort | tr '\\n' ' '");
	cr_assert_str_eq(s, names, "T holds '%s', expected '%s'", s, names);
}

static int unpack(const char *archive, uint64_t max, struct deploy_unpacked *u,
		  struct diag_list *w, struct diag *d)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", T, archive);
	struct deploy_unpack_opts o = {.max_bytes = max, .tmpdir = T};
	memset(d, 0, sizeof *d);
	return deploy_unpack_with(path, &o, u, w, d);
}

static char *warnings(const struct diag_list *w)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < w->n; i++) {
		char line[2048];
		diag_format(&w->v[i], line, sizeof line);
		buf_printf(&b, "%s\n", line);
	}
	char *s = keep(strdup(buf_cstr(&b)));
	buf_free(&b);
	return s;
}

/* The source tree S: real files of this machine. */
static void make_src(void)
{
	sh("mkdir -p S/usr/lib/x86_64-linux-gnu S/usr/bin S/etc S/var/empty && "
	   "z=$(readlink -f /usr/lib/x86_64-linux-gnu/libz.so.1) && "
	   "cp \"$z\" S/usr/lib/x86_64-linux-gnu/ && "
	   "ln -s \"$(basename \"$z\")\" S/usr/lib/x86_64-linux-gnu/libz.so.1 && "
	   "ln -s usr/lib S/lib && cp /bin/ls S/usr/bin/ls && chmod 755 S/usr/bin/ls && "
	   "ln S/usr/bin/ls S/usr/bin/dir && cat /etc/os-release > S/etc/os-release && "
	   "chmod 644 S/etc/os-release && cp S/etc/os-release S/etc/secret && "
	   "chmod 600 S/etc/secret && ln -s /usr/bin/ls S/etc/abs && chmod 755 S S/* S/usr/* S/var/empty");
}

static void tar_round_trip(const char *flags, const char *name)
{
	struct deploy_unpacked u;
	struct diag_list w = {0};
	struct diag d;
	make_src();
	sh("tar %s -cf %s -C S .", flags, name);
	cr_assert_eq(unpack(name, 0, &u, &w, &d), 0, "%s: %s", name, d.msg);
	cr_assert_eq(w.n, 0, "warnings: %s", warnings(&w));
	same_tree("S", u.dir);
	char *i1 = out_of("stat -c %%i '%s/usr/bin/ls' '%s/usr/bin/dir' | uniq | wc -l", u.dir, u.dir);
	cr_assert_str_eq(i1, "1\n", "the hardlink is not one inode");
	cr_assert_eq(u.nlayers, 0);
	cr_assert_eq(u.nhidden, 0);
	char *files = out_of("find S -type f -o -type l | wc -l");
	cr_assert_eq(u.files, strtoull(files, NULL, 10));
	char *bytes = out_of("find S -type f -links 1 -printf '%%s\\n' | awk '{s+=$1} END {print s}'");
	char *ls = out_of("stat -c %%s S/usr/bin/ls");
	cr_assert_eq(u.bytes, strtoull(bytes, NULL, 10) + strtoull(ls, NULL, 10),
		     "bytes written %llu", (unsigned long long)u.bytes);
	char saved[4096];
	snprintf(saved, sizeof saved, "%s", u.dir);
	deploy_cleanup(&u);
	cr_assert_eq(access(saved, F_OK), -1, "%s left behind", saved);
	char names[256];
	snprintf(names, sizeof names, "S %s ", name);
	only_in_T(names);   /* the source and the archive only */
	diag_list_free(&w);
}

Test(unpack, plain_tar_gives_the_same_tree)
{
	tar_round_trip("", "s.tar");
}

Test(unpack, gzip_tar_gives_the_same_tree)
{
	tar_round_trip("-z", "s.tgz");
}

Test(unpack, xz_tar_gives_the_same_tree)
{
	need_tool("xz", "xz-utils");
	tar_round_trip("-J", "s.txz");
}

Test(unpack, zstd_tar_gives_the_same_tree)
{
	need_tool("zstd", "zstd");
	tar_round_trip("--zstd", "s.tzst");
}

Test(unpack, bzip2_tar_gives_the_same_tree)
{
	need_tool("bzip2", "bzip2");
	tar_round_trip("-j", "s.tbz");
}

Test(unpack, v7_tar_gives_the_same_tree)
{
	tar_round_trip("--format=v7", "s.v7.tar");
}

/* ---- zip, wheel, zipapp: the tree unzip makes ---- */

static void zip_vs_unzip(const char *name)
{
	struct deploy_unpacked u;
	struct diag_list w = {0};
	struct diag d;
	need_tool("unzip", "unzip");
	/* unzip exits 1 on a warning, as for the bytes before a zipapp's zip */
	sh("unzip -q -o %s -d G || [ $? = 1 ]", name);
	cr_assert_eq(unpack(name, 0, &u, &w, &d), 0, "%s: %s", name, d.msg);
	cr_assert_eq(w.n, 0, "warnings: %s", warnings(&w));
	same_tree("G", u.dir);
	char *n = out_of("find G -mindepth 1 ! -type d | wc -l");
	cr_assert_eq(u.files, strtoull(n, NULL, 10));
	deploy_cleanup(&u);
	diag_list_free(&w);
}

Test(unpack, a_real_wheel_gives_unzips_tree)
{
	const char *whl = "/usr/share/python-wheels/pip-23.0.1-py3-none-any.whl";
	cr_assert_eq(access(whl, R_OK), 0, "this test needs %s: apt-get install python3-pip-whl", whl);
	sh("cp %s pip.whl", whl);
	zip_vs_unzip("pip.whl");
}

Test(unpack, a_zip_of_an_installed_package_gives_unzips_tree)
{
	need_tool("zip", "zip");
	sh("cd /usr/lib/python3/dist-packages && zip -qry '%s/j.zip' jinja2 Jinja2-3.1.2.egg-info", T);
	zip_vs_unzip("j.zip");
}

Test(unpack, a_zipapp_behind_its_shebang_gives_unzips_tree)
{
	need_tool("python3", "python3");
	sh("mkdir -p P/pkg && echo 'import pkg' > P/__main__.py && cp /usr/lib/python3.11/json/*.py P/pkg/ && "
	   "python3 -m zipapp P -p '/usr/bin/env python3' -o app.pyz && head -c 2 app.pyz | grep -q '#!'");
	zip_vs_unzip("app.pyz");
	/* and Python runs it: what was unpacked is the app */
	sh("python3 app.pyz");
}

/* ---- images ---- */

/* What each layer hid, computed with Python's tarfile from the layers of
 * the OCI layout `img` (index.json -> manifest -> layers) by the image
 * spec's rules: one line "PATH LAYER BY_LAYER WHITEOUT BYTES" per file
 * (not directory) a later layer overwrote or whited out. */
static const char hidden_py[] =
	"import json, sys, tarfile\n"
	"d = sys.argv[1]\n"
	"blob = lambda g: d + '/blobs/' + g.replace(':', '/')\n"
	"i = json.load(open(d + '/index.json'))\n"
	"m = json.load(open(blob(i['manifests'][0]['digest'])))\n"
	"state, out = {}, []\n"
	"def hide(p, L, wh):\n"
	"    for q in [q for q in state if q == p or q.startswith(p + '/')]:\n"
	"        lay, isdir, size = state.pop(q)\n"
	"        if not isdir and lay < L: out.append('%s %d %d %d %d' % (q, lay, L, wh, size))\n"
	"for L, l in enumerate(m['layers'], 1):\n"
	"    sizes = {}\n"
	"    for t in tarfile.open(blob(l['digest'])):\n"
	"        n = '/'.join(c for c in t.name.split('/') if c not in ('', '.'))\n"
	"        if not n: continue\n"
	"        dn, _, b = n.rpartition('/')\n"
	"        if b == '.wh..wh..opq':\n"
	"            for q in [q for q in state if q.startswith(dn + '/') and state[q][0] < L]:\n"
	"                hide(q, L, 1)\n"
	"            continue\n"
	"        if b.startswith('.wh.'):\n"
	"            hide((dn + '/' if dn else '') + b[4:], L, 1); continue\n"
	"        if n in state and not (t.isdir() and state[n][1]): hide(n, L, 0)\n"
	"        size = t.size if t.isreg() else sizes.get(t.linkname.lstrip('./'), 0) if t.islnk() else 0\n"
	"        sizes[n] = size\n"
	"        state[n] = (L, t.isdir(), size)\n"
	"print('\\n'.join(sorted(out)))\n";

static char *hidden_truth(const char *layout)
{
	char py[4096];
	snprintf(py, sizeof py, "%s/hidden.py", T);
	FILE *fp = fopen(py, "w");
	cr_assert(fp && fputs(hidden_py, fp) >= 0 && !fclose(fp));
	return out_of("python3 hidden.py %s", layout);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *hidden_got(const struct deploy_unpacked *u)
{
	char **v = calloc(u->nhidden + 1, sizeof *v);
	for (size_t i = 0; i < u->nhidden; i++) {
		const struct deploy_hidden *h = &u->hidden[i];
		cr_assert(asprintf(&v[i], "%s %u %u %d %llu", h->path, h->layer, h->by_layer,
				   h->whiteout, (unsigned long long)h->bytes) > 0);
	}
	qsort(v, u->nhidden, sizeof *v, by_path);
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < u->nhidden; i++) {
		buf_printf(&b, "%s\n", v[i]);
		free(v[i]);
	}
	free(v);
	if (!u->nhidden)
		buf_printf(&b, "\n");
	char *s = keep(strdup(buf_cstr(&b)));
	buf_free(&b);
	return s;
}

/* An OCI layout `img` of two layers made with umoci from S: layer 2
 * deletes a file, replaces ls with cat, adds a file and removes a
 * directory; G/rootfs is umoci's own unpack of it. */
static void make_image(void)
{
	need_tool("umoci", "umoci");
	make_src();
	sh("umoci init --layout img && umoci new --image img:t && "
	   "umoci unpack --image img:t b1 > /dev/null && cp -a S/. b1/rootfs/ && "
	   "umoci repack --image img:t b1 && umoci unpack --image img:t b2 > /dev/null && "
	   "rm b2/rootfs/etc/secret b2/rootfs/usr/bin/ls && cp /bin/cat b2/rootfs/usr/bin/ls && "
	   "echo new > b2/rootfs/etc/new && rm -r b2/rootfs/var/empty && "
	   "umoci repack --image img:t b2 && umoci unpack --image img:t G > /dev/null && "
	   "rm -rf b1 b2");
}

static void image_check(const char *input, unsigned nlayers)
{
	struct deploy_unpacked u;
	struct diag_list w = {0};
	struct diag d;
	cr_assert_eq(unpack(input, 0, &u, &w, &d), 0, "%s: %s", input, d.msg);
	cr_assert_eq(w.n, 0, "warnings: %s", warnings(&w));
	cr_assert_eq(u.nlayers, nlayers);
	same_tree("G/rootfs", u.dir);
	char *want = hidden_truth("img"), *got = hidden_got(&u);
	cr_assert_str_eq(got, want, "hidden:\n--- want\n%s--- got\n%s", want, got);
	cr_assert(strstr(got, "etc/secret 1 2 1 "), "the whiteout of etc/secret: %s", got);
	cr_assert(strstr(got, "usr/bin/ls 1 2 0 "), "the overwrite of usr/bin/ls: %s", got);
	deploy_cleanup(&u);
	diag_list_free(&w);
}

Test(unpack, an_oci_layout_gives_umocis_tree_and_what_layer_2_hid)
{
	make_image();
	char p[4096];
	snprintf(p, sizeof p, "%s/img", T);
	cr_assert(deploy_is_oci_dir(p));
	cr_assert(!deploy_is_oci_dir(T));
	image_check("img", 2);
}

Test(unpack, an_oci_archive_tarball_is_the_same_image)
{
	make_image();
	sh("tar -C img -cf img.tar .");
	image_check("img.tar", 2);
}

Test(unpack, a_docker_save_tarball_from_skopeo_is_the_same_image)
{
	need_tool("skopeo", "skopeo");
	make_image();
	sh("skopeo copy -q oci:img:t docker-archive:save.tar:t:1 && tar -tf save.tar | grep -qx manifest.json");
	image_check("save.tar", 2);
}

/* A docker save tarball made by hand: layer 2 whites out etc/x, makes
 * etc/d opaque after writing etc/d/k into it (which stays), adds etc/z.
 * The truth is umoci's unpack of what skopeo converts it to. */
Test(unpack, a_hand_made_docker_save_with_an_opaque_directory)
{
	need_tool("skopeo", "skopeo");
	need_tool("umoci", "umoci");
	sh("mkdir -p l1/etc/d/sub l2/etc/d ds && echo 1 > l1/etc/x && echo 2 > l1/etc/d/y && "
	   "echo q > l1/etc/d/sub/q && ln -s y l1/etc/d/ly && echo k > l2/etc/d/k && "
	   "touch l2/etc/d/.wh..wh..opq l2/etc/.wh.x && echo z > l2/etc/z && "
	   "tar -C l1 -cf ds/l1.tar . && tar -C l2 -cf ds/l2.tar etc/d/k etc/d/.wh..wh..opq etc/.wh.x etc/z && "
	   "d1=$(sha256sum ds/l1.tar | cut -d' ' -f1) && d2=$(sha256sum ds/l2.tar | cut -d' ' -f1) && "
	   "printf '{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\","
	   "\"diff_ids\":[\"sha256:%%s\",\"sha256:%%s\"]}}' $d1 $d2 > ds/c.json && "
	   "echo '[{\"Config\":\"c.json\",\"RepoTags\":[\"t:1\"],\"Layers\":[\"l1.tar\",\"l2.tar\"]}]' > ds/manifest.json && "
	   "tar -C ds -cf ds.tar . && skopeo copy -q docker-archive:ds.tar oci:img:t && "
	   "umoci unpack --image img:t G > /dev/null");
	struct deploy_unpacked u;
	struct diag_list w = {0};
	struct diag d;
	cr_assert_eq(unpack("ds.tar", 0, &u, &w, &d), 0, "%s", d.msg);
	cr_assert_eq(w.n, 0, "warnings: %s", warnings(&w));
	cr_assert_eq(u.nlayers, 2);
	same_tree("G/rootfs", u.dir);
	char *got = hidden_got(&u), *want = hidden_truth("img");
	cr_assert_str_eq(got, want, "hidden:\n--- want\n%s--- got\n%s", want, got);
	cr_assert_str_eq(got, "etc/d/ly 1 2 1 0\netc/d/sub/q 1 2 1 2\netc/d/y 1 2 1 2\netc/x 1 2 1 2\n");
	deploy_cleanup(&u);
	diag_list_free(&w);
	only_in_T("G ds ds.tar hidden.py img l1 l2 ");
}

/* ---- hostile archives ---- */

static const char hostile_py[] =
	"import io, sys, tarfile\n"
	"t = tarfile.open(sys.argv[1], 'w', format=tarfile.GNU_FORMAT)\n"
	"def add(name, kind=tarfile.REGTYPE, data=b'', link=''):\n"
	"    i = tarfile.TarInfo(name); i.type = kind; i.linkname = link; i.mode = 0o644\n"
	"    if kind == tarfile.CHRTYPE: i.devmajor, i.devminor = 1, 3\n"
	"    i.size = len(data) if kind == tarfile.REGTYPE else 0\n"
	"    t.addfile(i, io.BytesIO(data) if i.size else None)\n"
	"add('good', data=b'good\\n')\n"
	"add('../x', data=b'x')\n"
	"add('/etc/slim-unpack-test-abs', data=b'abs')\n"
	"add('a', tarfile.SYMTYPE, link='../../etc')\n"
	"add('a/passwd', data=b'through a')\n"
	"add('abs', tarfile.SYMTYPE, link='/etc')\n"
	"add('abs/passwd', data=b'through abs')\n"
	"add('h1', tarfile.LNKTYPE, link='/etc/shadow')\n"
	"add('h2', tarfile.LNKTYPE, link='../outside')\n"
	"add('loop', data=b'l')\n"
	"add('loop', tarfile.LNKTYPE, link='loop')\n"
	"add('dev/null', tarfile.CHRTYPE)\n"
	"add('fifo', tarfile.FIFOTYPE)\n"
	"add('sub/ok', data=b'ok')\n"
	"add('good-link', tarfile.LNKTYPE, link='good')\n"
	"add('in', tarfile.SYMTYPE, link='sub/../good')\n"
	"t.close()\n";

static void write_file(const char *name, const char *text)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/%s", T, name);
	FILE *fp = fopen(p, "w");
	cr_assert(fp && fputs(text, fp) >= 0 && !fclose(fp));
}

/* One warning line naming the member, saying why. */
static void warned(const char *all, const char *member, const char *why)
{
	char want[512];
	snprintf(want, sizeof want, "member '%s'", member);
	const char *p = strstr(all, want);
	cr_assert(p, "no warning names %s:\n%s", member, all);
	const char *eol = strchr(p, '\n');
	cr_assert(eol && memmem(p, (size_t)(eol - p), why, strlen(why)),
		  "the warning for %s does not say '%s':\n%s", member, why, all);
}

Test(unpack, hostile_members_are_refused_one_warning_each_and_the_rest_unpacked)
{
	need_tool("python3", "python3");
	write_file("hostile.py", hostile_py);
	sh("python3 hostile.py h.tar");
	char *passwd = out_of("sha256sum /etc/passwd");
	struct deploy_unpacked u;
	struct diag_list w = {0};
	struct diag d;
	cr_assert_eq(unpack("h.tar", 0, &u, &w, &d), 0, "%s", d.msg);
	char *all = warnings(&w);
	cr_assert_eq(w.n, 8, "8 warnings expected:\n%s", all);
	warned(all, "../x", "'..'");
	warned(all, "/etc/slim-unpack-test-abs", "leading '/' removed");
	warned(all, "a", "leaves the root");
	warned(all, "h1", "not unpacked");
	warned(all, "h2", "not in the archive");
	warned(all, "loop", "a hardlink to itself");
	warned(all, "dev/null", "device");
	warned(all, "fifo", "device, fifo");
	cr_assert(strstr(all, "h.tar: offset 0x"), "warnings name the archive and an offset:\n%s", all);
	/* the rest is there, in the root */
	char *tree = listing(u.dir);
	cr_assert_str_eq(tree,
		"a d 755\n"
		"a/passwd f 644 9 1\n"
		"abs l /etc\n"
		"etc d 755\n"
		"etc/passwd f 644 11 1\n"
		"etc/slim-unpack-test-abs f 644 3 1\n"
		"good f 644 5 2\n"
		"good-link f 644 5 2\n"
		"in l sub/../good\n"
		"loop f 644 1 1\n"
		"sub d 755\n"
		"sub/ok f 644 2 1\n", "%s", tree);
	/* and nothing outside it */
	char *now = out_of("sha256sum /etc/passwd");
	cr_assert_str_eq(now, passwd, "/etc/passwd changed");
	cr_assert_eq(access("/etc/slim-unpack-test-abs", F_OK), -1);
	char *around = out_of("ls -A | grep -v '^slim-unpack\\.' | tr '\\n' ' '; ls -d slim-unpack.* | wc -l");
	cr_assert_str_eq(around, "h.tar hostile.py 1\n", "beside the root: %s", around);
	deploy_cleanup(&u);
	only_in_T("h.tar hostile.py ");
	diag_list_free(&w);
}

/* ---- errors: one line, nothing left on disk ---- */

static void fails_clean(const char *archive, uint64_t max, const char *what,
			const char *keep)
{
	struct deploy_unpacked u;
	struct diag_list w = {0};
	struct diag d;
	cr_assert_eq(unpack(archive, max, &u, &w, &d), -1, "%s unpacked", archive);
	char line[2048];
	diag_format(&d, line, sizeof line);
	cr_assert(strstr(line, archive) && strstr(line, ": offset 0x") && strstr(line, what),
		  "the error should name %s, an offset and '%s': %s", archive, what, line);
	cr_assert(!strchr(line, '\n'));
	cr_assert_eq(u.dir[0], 0);
	only_in_T(keep);
	diag_list_free(&w);
}

Test(unpack, a_truncated_tar_gz_is_one_error_and_leaves_nothing)
{
	make_src();
	sh("tar -czf s.tgz -C S . && head -c $(( $(stat -c %%s s.tgz) / 2 )) s.tgz > cut.tgz && rm -r S s.tgz");
	fails_clean("cut.tgz", 0, "runcated", "cut.tgz ");
}

/* 2 GiB of zeros in one member: a tar header, then gzip members of 16
 * MiB of zeros (concatenated gzip members are one stream), then the end
 * blocks: 2 MB on disk. */
static void make_bomb(void)
{
	need_tool("python3", "python3");
	sh("python3 -c \"import sys, tarfile; i = tarfile.TarInfo('zeros'); i.size = 2 << 30; "
	   "sys.stdout.buffer.write(i.tobuf(tarfile.GNU_FORMAT))\" | gzip -1 > bomb.tar.gz && "
	   "head -c 16M /dev/zero | gzip -1 > z.gz && for i in $(seq 128); do cat z.gz; done >> bomb.tar.gz && "
	   "head -c 1024 /dev/zero | gzip >> bomb.tar.gz && rm z.gz && "
	   "[ $(gzip -dc bomb.tar.gz | wc -c) = $(( (2 << 30) + 1536 )) ]");
}

Test(unpack, a_gzip_bomb_is_refused_under_the_default_bound)
{
	make_bomb();
	/* 8 x 2 MB + 1 GiB < 2 GiB: refused before a byte is written */
	fails_clean("bomb.tar.gz", 0, "member 'zeros' declares 2147483648 bytes", "bomb.tar.gz ");
}

Test(unpack, a_gzip_bomb_is_refused_under_a_small_bound)
{
	make_bomb();
	fails_clean("bomb.tar.gz", 64 << 20, "member 'zeros' declares 2147483648 bytes, more than the 67108864 left",
		    "bomb.tar.gz ");
}

Test(unpack, members_adding_up_past_the_bound_stop_at_the_one_that_crosses_it)
{
	sh("head -c 1M /dev/urandom > m1 && cp m1 m2 && cp m1 m3 && tar -cf three.tar m1 m2 m3 && rm m1 m2 m3");
	fails_clean("three.tar", (5u << 20) / 2, "member 'm3' declares 1048576 bytes, more than the 524288 left",
		    "three.tar ");
	/* and with room for all three it unpacks */
	struct deploy_unpacked u;
	struct diag_list w = {0};
	struct diag d;
	cr_assert_eq(unpack("three.tar", 3u << 20, &u, &w, &d), 0, "%s", d.msg);
	cr_assert_eq(u.bytes, 3u << 20);
	deploy_cleanup(&u);
}

Test(unpack, a_member_declaring_10_gb_is_one_error_naming_it)
{
	need_tool("python3", "python3");
	sh("python3 -c \"import io, sys, tarfile; t = tarfile.open('huge.tar', 'w', format=tarfile.GNU_FORMAT); "
	   "i = tarfile.TarInfo('first'); i.size = 5; t.addfile(i, io.BytesIO(b'first')); "
	   "i = tarfile.TarInfo('huge'); i.size = 10 << 30; t.fileobj.write(i.tobuf(tarfile.GNU_FORMAT)); "
	   "t.fileobj.write(bytes(4096)); t.fileobj.close()\"");
	fails_clean("huge.tar", 0, "member 'huge' declares 10737418240 bytes", "huge.tar ");
}

Test(unpack, what_is_not_an_archive_is_one_error)
{
	sh("cp /etc/os-release text && mkdir plain");
	fails_clean("text", 0, "nrecognized archive format", "plain text ");
	struct deploy_unpacked u;
	struct diag_list w = {0};
	struct diag d;
	cr_assert_eq(unpack("plain", 0, &u, &w, &d), -1);
	cr_assert(strstr(d.msg, "not an OCI image layout"), "%s", d.msg);
	only_in_T("plain text ");
}

/* ---- detection ---- */

static bool is_archive(const char *name)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/%s", T, name);
	FILE *fp = fopen(p, "rb");
	cr_assert(fp, "%s", p);
	static unsigned char b[1 << 20];
	size_t n = fread(b, 1, sizeof b, fp);
	fclose(fp);
	return deploy_is_archive(b, n);
}

Test(unpack, detection_knows_each_archive_and_nothing_else)
{
	need_tool("python3", "python3");
	make_src();
	sh("tar -cf s.tar -C S . && tar -czf s.tgz -C S . && tar -cJf s.txz -C S . && "
	   "tar --zstd -cf s.tzst -C S . && tar -cjf s.tbz -C S . && tar --format=v7 -cf s.v7 -C S . && "
	   "tar --format=posix -cf s.pax -C S . && tar -cf empty.tar -T /dev/null && "
	   "cp /usr/share/python-wheels/pip-23.0.1-py3-none-any.whl pip.whl && "
	   "mkdir P && echo pass > P/__main__.py && python3 -m zipapp P -p '/usr/bin/python3' -o app.pyz && "
	   "cp /bin/ls ls && cp /etc/os-release text && head -c 600 s.v7 > v7head && "
	   "printf '#!/bin/sh\\nPK\\003\\004 but no zip\\n' > fake.pyz && "
	   "dd if=s.tar of=badsum bs=512 count=2 2>/dev/null && printf 'X' | dd of=badsum bs=1 seek=100 conv=notrunc 2>/dev/null");
	const char *yes[] = {"s.tar", "s.tgz", "s.txz", "s.tzst", "s.tbz", "s.v7", "s.pax",
			     "pip.whl", "app.pyz", "v7head"};
	const char *no[] = {"ls", "text", "fake.pyz", "badsum", "empty.tar"};
	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
		cr_assert(is_archive(yes[i]), "%s is an archive", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof *no; i++)
		cr_assert(!is_archive(no[i]), "%s is no archive", no[i]);
	cr_assert(!deploy_is_archive(NULL, 0));
}

/* Debian's merged /usr: layer 1 has lib -> usr/lib, layer 2 writes
 * lib/x86_64-linux-gnu/libz.so.1.2.13 through it.  The write lands in
 * usr/lib inside the root (as umoci, and Docker, apply it), and the file
 * it replaced is hidden under its real path with layer 1's bytes. */
Test(unpack, a_layer_writing_through_an_in_root_symlink_lands_inside_and_hides_the_real_path)
{
	need_tool("skopeo", "skopeo");
	need_tool("umoci", "umoci");
	sh("mkdir -p l1/usr/lib/x86_64-linux-gnu l2/lib/x86_64-linux-gnu ds && "
	   "cp \"$(readlink -f /usr/lib/x86_64-linux-gnu/libz.so.1)\" l1/usr/lib/x86_64-linux-gnu/libz.so.1.2.13 && "
	   "ln -s usr/lib l1/lib && cp /bin/true l2/lib/x86_64-linux-gnu/libz.so.1.2.13 && "
	   "tar -C l1 -cf ds/l1.tar . && tar -C l2 -cf ds/l2.tar lib/x86_64-linux-gnu/libz.so.1.2.13 && "
	   "d1=$(sha256sum ds/l1.tar | cut -d' ' -f1) && d2=$(sha256sum ds/l2.tar | cut -d' ' -f1) && "
	   "printf '{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\","
	   "\"diff_ids\":[\"sha256:%%s\",\"sha256:%%s\"]}}' $d1 $d2 > ds/c.json && "
	   "echo '[{\"Config\":\"c.json\",\"RepoTags\":[\"t:1\"],\"Layers\":[\"l1.tar\",\"l2.tar\"]}]' > ds/manifest.json && "
	   "tar -C ds -cf ds.tar . && skopeo copy -q docker-archive:ds.tar oci:img:t && "
	   "umoci unpack --image img:t G > /dev/null && [ ! -e G/rootfs/lib/x86_64-linux-gnu ] || "
	   "cmp G/rootfs/usr/lib/x86_64-linux-gnu/libz.so.1.2.13 /bin/true");
	struct deploy_unpacked u;
	struct diag_list w = {0};
	struct diag d;
	cr_assert_eq(unpack("img", 0, &u, &w, &d), 0, "%s", d.msg);
	cr_assert_eq(w.n, 0, "warnings: %s", warnings(&w));
	same_tree("G/rootfs", u.dir);
	char *sz = out_of("stat -c %%s l1/usr/lib/x86_64-linux-gnu/libz.so.1.2.13 | tr -d '\\n'");
	char want[256];
	snprintf(want, sizeof want, "usr/lib/x86_64-linux-gnu/libz.so.1.2.13 1 2 0 %s\n", sz);
	char *got = hidden_got(&u);
	cr_assert_str_eq(got, want);
	deploy_cleanup(&u);
	diag_list_free(&w);
}

/* Docker 25's `docker save`: an OCI layout plus a manifest.json whose
 * Layers are ID/layer.tar symlinks into blobs/sha256/; the links are
 * followed inside the tarball's tree and the image is the one skopeo and
 * umoci see in the layout. */
Test(unpack, a_docker_25_save_with_layer_symlinks_into_blobs)
{
	need_tool("skopeo", "skopeo");
	need_tool("umoci", "umoci");
	make_image();
	sh("python3 -c \"import json, os; i = json.load(open('img/index.json')); "
	   "m = json.load(open('img/blobs/' + i['manifests'][0]['digest'].replace(':', '/'))); L = []\n"
	   "for l in m['layers']:\n"
	   "    h = l['digest'].split(':')[1]; os.makedirs('img/' + h, exist_ok=True)\n"
	   "    os.symlink('../blobs/sha256/' + h, 'img/' + h + '/layer.tar'); L.append(h + '/layer.tar')\n"
	   "json.dump([{'Config': 'c.json', 'RepoTags': ['t:1'], 'Layers': L}], open('img/manifest.json', 'w'))\" && "
	   "rm img/oci-layout && tar -C img -cf d25.tar . && tar -tvf d25.tar | grep -q 'layer.tar -> ../blobs/sha256/'");
	struct deploy_unpacked u;
	struct diag_list w = {0};
	struct diag d;
	cr_assert_eq(unpack("d25.tar", 0, &u, &w, &d), 0, "%s", d.msg);
	cr_assert_eq(w.n, 0, "warnings: %s", warnings(&w));
	cr_assert_eq(u.nlayers, 2);
	same_tree("G/rootfs", u.dir);
	deploy_cleanup(&u);
	diag_list_free(&w);
}

/* A GNU sparse member (tar -S): the data blocks land at their offsets,
 * the holes stay holes, and the file has its declared size (cmp against
 * the source; du says the holes were not written). */
Test(unpack, a_sparse_member_keeps_its_holes)
{
	sh("truncate -s 64M sp && printf data | dd of=sp bs=1 seek=33554432 conv=notrunc 2>/dev/null && "
	   "tar -S -cf sp.tar sp && tar -tvf sp.tar | grep -q ' 67108864 '");
	struct deploy_unpacked u;
	struct diag_list w = {0};
	struct diag d;
	cr_assert_eq(unpack("sp.tar", 0, &u, &w, &d), 0, "%s", d.msg);
	cr_assert_eq(w.n, 0, "warnings: %s", warnings(&w));
	sh("cmp sp '%s/sp' && [ $(du -k '%s/sp' | cut -f1) -lt 1024 ]", u.dir, u.dir);
	cr_assert_lt(u.bytes, 1u << 20, "%llu bytes written for 4 bytes of data",
		     (unsigned long long)u.bytes);
	deploy_cleanup(&u);
}

/* The same refusals in a zip (Python's zipfile writes the names as
 * given; a symlink is a member whose mode says S_IFLNK). */
Test(unpack, hostile_zip_members_are_refused_and_the_rest_unpacked)
{
	need_tool("python3", "python3");
	sh("python3 -c \"import zipfile, stat\n"
	   "z = zipfile.ZipFile('h.zip', 'w')\n"
	   "def add(n, data, mode=0o100644):\n"
	   "    i = zipfile.ZipInfo(n); i.external_attr = mode << 16; i.create_system = 3; z.writestr(i, data)\n"
	   "add('good', 'good')\n"
	   "add('../evil', 'x')\n"
	   "add('a/../../evil2', 'x')\n"
	   "add('/abs', 'abs')\n"
	   "add('up', '../../etc', 0o120777)\n"
	   "add('ok-link', 'good', 0o120777)\n"
	   "z.close()\"");
	struct deploy_unpacked u;
	struct diag_list w = {0};
	struct diag d;
	cr_assert_eq(unpack("h.zip", 0, &u, &w, &d), 0, "%s", d.msg);
	char *all = warnings(&w);
	cr_assert_eq(w.n, 4, "4 warnings expected:\n%s", all);
	warned(all, "../evil", "'..'");
	warned(all, "a/../../evil2", "'..'");
	warned(all, "/abs", "leading '/' removed");
	warned(all, "up", "leaves the root");
	char *tree = listing(u.dir);
	cr_assert_str_eq(tree, "abs f 644 3 1\ngood f 644 4 1\nok-link l good\n", "%s", tree);
	deploy_cleanup(&u);
	only_in_T("h.zip ");
	diag_list_free(&w);
}

/* Memory stays bounded whatever the member's size: a 512 MiB member
 * (zeros through zstd: 17 KB on disk) is streamed to disk in libarchive's
 * blocks; the process's peak RSS grows by far less than the member. */
Test(unpack, a_512_mib_member_is_streamed_in_bounded_memory)
{
	need_tool("zstd", "zstd");
	sh("truncate -s 512M big && tar -cf - big | zstd -q -1 > big.tar.zst && rm big");
	struct rusage r0, r1;
	getrusage(RUSAGE_SELF, &r0);
	struct deploy_unpacked u;
	struct diag_list w = {0};
	struct diag d;
	cr_assert_eq(unpack("big.tar.zst", 0, &u, &w, &d), 0, "%s", d.msg);
	getrusage(RUSAGE_SELF, &r1);
	cr_assert_eq(u.bytes, 512u << 20);
	sh("[ $(stat -c %%s '%s/big') = %u ]", u.dir, 512u << 20);
	long grew_kib = r1.ru_maxrss - r0.ru_maxrss;
	cr_assert_lt(grew_kib, 16 * 1024, "peak RSS grew by %ld KiB unpacking 512 MiB", grew_kib);
	deploy_cleanup(&u);
}
