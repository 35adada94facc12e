/* certnb.frame._walk: Graph certification JSON (parsed) → one array per known member, and each object's shape.

The compiled twin of `certnb.frame.walk.walk_python`; `certnb/frame/walk.py` says what both return and
chooses between them. Building a frame of a million records is bound by reading scattered Python objects
(contract §2's nested objects make ~9 dicts a record); this reads each record's whole tree once, in one pass,
while it is in cache, and matches each dict's keys against the few shapes seen so far instead of hashing
every member name.

Anything it does not handle (a key that is not a str, a dict with more than MAX_KEYS keys) raises
`Unsupported`, and walk.py falls back to the Python walker: the two must give identical results, which
tests/frame/test_walk.py checks.
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>
#include <stdint.h>
#include <string.h>

#define MAX_KEYS 64

enum { SHAPE_DICT, SHAPE_NULL, SHAPE_ABSENT, SHAPE_OTHER };
/* What becomes of a member's values: kept as objects, kept with a list as a tuple (hashable, so the column
   can be factorized without another pass in Python), or parsed. */
enum { KEEP, KEEP_LIST_AS_TUPLE, DATE, DATETIME };

static const int64_t NAT = INT64_MIN;

static PyObject *Unsupported;

typedef struct {
    int kind;            /* SHAPE_* */
    int listed;          /* a dict shape whose listed member came as a list */
    Py_ssize_t nkeys;    /* the dict's keys (LISTED not counted) */
    PyObject *keys;      /* the shape's tuple, owned by the object's `uniques` list */
    Py_ssize_t *pos_of;  /* per member: its position in the dict, or -1 */
} Shape;

typedef struct {
    Py_ssize_t nmembers;
    PyObject **names;    /* borrowed from the spec */
    int *child;          /* per member: the object index of a nested object, or -1 for a leaf */
    int *kind;           /* per member: KEEP, DATE or DATETIME */
    Py_ssize_t listed;   /* the member that may come as a list (source.type), or -1 */
    PyObject **columns;  /* per member: an ndarray of n objects, or of n int64 for DATE and DATETIME */
    PyObject **doubtful; /* per DATE/DATETIME member: a list of (row, value) the fast parse left alone */
    PyObject *codes;     /* bytearray of n int64: each row's shape number */
    int64_t *code;
    PyObject *uniques;   /* list: each shape's keys, in order of first appearance */
    Shape *shapes;
    Py_ssize_t nshapes, capacity;
    Py_ssize_t last;     /* the shape matched last: records from one service share it */
} Object;

typedef struct {
    Py_ssize_t nobjects;
    Object *objects;
    PyObject *absent, *listed_marker;
    PyObject *stand_in[4]; /* indexed by SHAPE_NULL.. SHAPE_OTHER */
} Walker;

/* Two dict keys are equal: the same object (json.loads shares keys within one document), else same text. */
static int key_equal(PyObject *a, PyObject *b) {
    if (a == b) {
        return 1;
    }
    Py_ssize_t length = PyUnicode_GET_LENGTH(a);
    if (length != PyUnicode_GET_LENGTH(b) || PyUnicode_KIND(a) != PyUnicode_KIND(b)) {
        return 0;
    }
    return memcmp(PyUnicode_DATA(a), PyUnicode_DATA(b), (size_t)length * PyUnicode_KIND(a)) == 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int digits(const char *s, int count, int64_t *out) {
    int64_t value = 0;
    for (int j = 0; j < count; j++) {
        if (s[j] < '0' || s[j] > '9') {
            return 0;
        }
        value = value * 10 + (s[j] - '0');
    }
    *out = value;
    return 1;
}

/* `YYYY-MM-DD` (contract §2's Edm.Date) → days since the epoch; 0 for any other text, a date that does not
   exist, or a year outside 1678-2261 (pandas' nanosecond range): those are left to pandas. */
static int parse_date(const char *s, int64_t *days) {
    static const int month_days[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t y, m, d;
    if (s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) || !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d)) {
        return 0;
    }
    if (y < 1678 || y > 2261 || m < 1 || m > 12 || d < 1 || d > month_days[m]) {
        return 0;
    }
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) {
        return 0;
    }
    *days = days_from_civil(y, m, d);
    return 1;
}

/* The ASCII text of a str value and its length, or NULL for anything else. */
static const char *ascii_text(PyObject *value, Py_ssize_t *length) {
    if (!PyUnicode_CheckExact(value) || !PyUnicode_IS_ASCII(value)) {
        return NULL;
    }
    *length = PyUnicode_GET_LENGTH(value);
    return (const char *)PyUnicode_DATA(value);
}

/* Graph's own DateTimeOffset text, `YYYY-MM-DDTHH:MM:SS.fffffffZ` (contract §2), → nanoseconds since the
   epoch; 0 for any other form (pandas parses those). */
static int parse_datetime(PyObject *value, int64_t *nanoseconds) {
    Py_ssize_t length;
    const char *s = ascii_text(value, &length);
    int64_t days, h, mi, sec, fraction;
    if (s == NULL || length != 28 || !parse_date(s, &days) || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
        s[19] != '.' || s[27] != 'Z' || !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) ||
        !digits(s + 17, 2, &sec) || !digits(s + 20, 7, &fraction) || h > 23 || mi > 59 || sec > 59) {
        return 0;
    }
    *nanoseconds = (((days * 24 + h) * 60 + mi) * 60 + sec) * 1000000000 + fraction * 100;
    return 1;
}

static int parse_day(PyObject *value, int64_t *seconds) {
    Py_ssize_t length;
    const char *s = ascii_text(value, &length);
    int64_t days;
    if (s == NULL || length != 10 || !parse_date(s, &days)) {
        return 0;
    }
    *seconds = days * 86400;
    return 1;
}

/* Store row `i` of a parsed member: its value, NaT when missing, or NaT and (row, value) in `doubtful`. */
static int store_parsed(Object *o, Py_ssize_t m, Py_ssize_t i, PyObject *cell) {
    int64_t *out = (int64_t *)PyArray_DATA((PyArrayObject *)o->columns[m]);
    if (cell == Py_None) {
        out[i] = NAT;
        return 0;
    }
    if (o->kind[m] == DATE ? parse_day(cell, &out[i]) : parse_datetime(cell, &out[i])) {
        return 0;
    }
    out[i] = NAT;
    PyObject *pair = Py_BuildValue("(nO)", i, cell);
    if (pair == NULL) {
        return -1;
    }
    int failed = PyList_Append(o->doubtful[m], pair);
    Py_DECREF(pair);
    return failed;
}

static Shape *add_shape(Object *o, int kind, PyObject *keys_tuple) {
    if (o->nshapes == o->capacity) {
        Py_ssize_t capacity = o->capacity ? o->capacity * 2 : 8;
        Shape *grown = PyMem_Realloc(o->shapes, (size_t)capacity * sizeof(Shape));
        if (grown == NULL) {
            PyErr_NoMemory();
            return NULL;
        }
        o->shapes = grown;
        o->capacity = capacity;
    }
    if (PyList_Append(o->uniques, keys_tuple) < 0) {
        return NULL;
    }
    Shape *s = &o->shapes[o->nshapes];
    memset(s, 0, sizeof(Shape));
    s->kind = kind;
    s->keys = keys_tuple; /* the uniques list holds the reference */
    s->pos_of = PyMem_Calloc((size_t)(o->nmembers ? o->nmembers : 1), sizeof(Py_ssize_t));
    if (s->pos_of == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    for (Py_ssize_t m = 0; m < o->nmembers; m++) {
        s->pos_of[m] = -1;
    }
    o->nshapes++;
    return s;
}

static int dict_shape_matches(const Shape *s, PyObject **keys, Py_ssize_t n, int listed) {
    if (s->kind != SHAPE_DICT || s->nkeys != n || s->listed != listed) {
        return 0;
    }
    for (Py_ssize_t j = 0; j < n; j++) {
        if (!key_equal(PyTuple_GET_ITEM(s->keys, j), keys[j])) {
            return 0;
        }
    }
    return 1;
}

static Py_ssize_t dict_shape(Walker *w, Object *o, PyObject **keys, Py_ssize_t n, int listed) {
    if (o->last < o->nshapes && dict_shape_matches(&o->shapes[o->last], keys, n, listed)) {
        return o->last;
    }
    for (Py_ssize_t k = 0; k < o->nshapes; k++) {
        if (dict_shape_matches(&o->shapes[k], keys, n, listed)) {
            o->last = k;
            return k;
        }
    }
    PyObject *tuple = PyTuple_New(n + listed);
    if (tuple == NULL) {
        return -1;
    }
    for (Py_ssize_t j = 0; j < n; j++) {
        Py_INCREF(keys[j]);
        PyTuple_SET_ITEM(tuple, j, keys[j]);
    }
    if (listed) {
        Py_INCREF(w->listed_marker);
        PyTuple_SET_ITEM(tuple, n, w->listed_marker);
    }
    Shape *s = add_shape(o, SHAPE_DICT, tuple);
    Py_DECREF(tuple);
    if (s == NULL) {
        return -1;
    }
    s->nkeys = n;
    s->listed = listed;
    for (Py_ssize_t m = 0; m < o->nmembers; m++) {
        for (Py_ssize_t j = 0; j < n; j++) {
            if (key_equal(keys[j], o->names[m])) {
                s->pos_of[m] = j;
                break;
            }
        }
    }
    o->last = o->nshapes - 1;
    return o->last;
}

static Py_ssize_t marker_shape(Walker *w, Object *o, int kind) {
    for (Py_ssize_t k = 0; k < o->nshapes; k++) {
        if (o->shapes[k].kind == kind) {
            return k;
        }
    }
    if (add_shape(o, kind, w->stand_in[kind]) == NULL) {
        return -1;
    }
    return o->nshapes - 1;
}

/* Record row `i` of object `k`: its shape, each member's value, and each nested object's row, recursively. */
static int walk_value(Walker *w, Py_ssize_t k, PyObject *value, Py_ssize_t i) {
    Object *o = &w->objects[k];
    PyObject *keys[MAX_KEYS], *values[MAX_KEYS];
    Py_ssize_t n = 0, shape;
    if (PyDict_CheckExact(value)) {
        if (PyDict_GET_SIZE(value) > MAX_KEYS) {
            PyErr_SetString(Unsupported, "an object with too many keys");
            return -1;
        }
        Py_ssize_t position = 0;
        PyObject *key, *member;
        while (PyDict_Next(value, &position, &key, &member)) {
            if (!PyUnicode_CheckExact(key)) {
                PyErr_SetString(Unsupported, "a key that is not a str");
                return -1;
            }
            keys[n] = key;
            values[n] = member;
            n++;
        }
        int listed = 0;
        if (o->listed >= 0) {
            for (Py_ssize_t j = 0; j < n; j++) {
                if (key_equal(keys[j], o->names[o->listed])) {
                    listed = PyList_CheckExact(values[j]);
                    break;
                }
            }
        }
        shape = dict_shape(w, o, keys, n, listed);
    } else {
        int kind = value == Py_None ? SHAPE_NULL : value == w->absent ? SHAPE_ABSENT : SHAPE_OTHER;
        shape = marker_shape(w, o, kind);
    }
    if (shape < 0) {
        return -1;
    }
    o->code[i] = shape;
    const Shape *s = &o->shapes[shape];
    for (Py_ssize_t m = 0; m < o->nmembers; m++) {
        Py_ssize_t at = s->kind == SHAPE_DICT ? s->pos_of[m] : -1;
        PyObject *cell = at >= 0 ? values[at] : (o->child[m] >= 0 ? w->absent : Py_None);
        if (o->kind[m] >= DATE) {
            if (store_parsed(o, m, i, cell) < 0) {
                return -1;
            }
            continue;
        }
        if (o->kind[m] == KEEP_LIST_AS_TUPLE && PyList_CheckExact(cell)) {
            cell = PyList_AsTuple(cell);
            if (cell == NULL) {
                return -1;
            }
        } else {
            Py_INCREF(cell);
        }
        ((PyObject **)PyArray_DATA((PyArrayObject *)o->columns[m]))[i] = cell;
        if (o->child[m] >= 0 && walk_value(w, o->child[m], cell, i) < 0) {
            return -1;
        }
    }
    return 0;
}

static void walker_free(Walker *w) {
    if (w->objects == NULL) {
        return;
    }
    for (Py_ssize_t k = 0; k < w->nobjects; k++) {
        Object *o = &w->objects[k];
        for (Py_ssize_t m = 0; m < o->nmembers; m++) {
            if (o->columns != NULL) {
                Py_XDECREF(o->columns[m]);
            }
            if (o->doubtful != NULL) {
                Py_XDECREF(o->doubtful[m]);
            }
        }
        for (Py_ssize_t s = 0; s < o->nshapes; s++) {
            PyMem_Free(o->shapes[s].pos_of);
        }
        PyMem_Free(o->shapes);
        PyMem_Free(o->columns);
        PyMem_Free(o->doubtful);
        PyMem_Free(o->kind);
        PyMem_Free(o->names);
        PyMem_Free(o->child);
        Py_XDECREF(o->codes);
        Py_XDECREF(o->uniques);
    }
    PyMem_Free(w->objects);
    w->objects = NULL;
}

/* Read the spec (see walk.py's `_SPEC`) and make each object's empty output. */
static int walker_init(Walker *w, PyObject *spec, Py_ssize_t n) {
    w->nobjects = PyTuple_GET_SIZE(spec);
    w->objects = PyMem_Calloc((size_t)(w->nobjects ? w->nobjects : 1), sizeof(Object));
    if (w->objects == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t k = 0; k < w->nobjects; k++) {
        Object *o = &w->objects[k];
        PyObject *members, *child, *kinds;
        if (!PyArg_ParseTuple(PyTuple_GET_ITEM(spec, k), "O!O!O!n", &PyTuple_Type, &members, &PyTuple_Type,
                              &child, &PyTuple_Type, &kinds, &o->listed)) {
            return -1;
        }
        o->nmembers = PyTuple_GET_SIZE(members);
        if (PyTuple_GET_SIZE(child) != o->nmembers || PyTuple_GET_SIZE(kinds) != o->nmembers ||
            o->listed >= o->nmembers) {
            PyErr_SetString(PyExc_ValueError, "a malformed walk spec");
            return -1;
        }
        size_t slots = (size_t)(o->nmembers ? o->nmembers : 1);
        o->names = PyMem_Calloc(slots, sizeof(PyObject *));
        o->child = PyMem_Calloc(slots, sizeof(int));
        o->kind = PyMem_Calloc(slots, sizeof(int));
        o->columns = PyMem_Calloc(slots, sizeof(PyObject *));
        o->doubtful = PyMem_Calloc(slots, sizeof(PyObject *));
        if (o->names == NULL || o->child == NULL || o->kind == NULL || o->columns == NULL ||
            o->doubtful == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        for (Py_ssize_t m = 0; m < o->nmembers; m++) {
            o->names[m] = PyTuple_GET_ITEM(members, m);
            long c = PyLong_AsLong(PyTuple_GET_ITEM(child, m));
            long kind = PyLong_AsLong(PyTuple_GET_ITEM(kinds, m));
            if (PyErr_Occurred() || !PyUnicode_CheckExact(o->names[m]) || c < -1 || c >= w->nobjects ||
                (c >= 0 && c <= k) || kind < KEEP || kind > DATETIME || (kind != KEEP && c >= 0)) {
                if (!PyErr_Occurred()) {
                    PyErr_SetString(PyExc_ValueError, "a malformed walk spec");
                }
                return -1;
            }
            o->child[m] = (int)c;
            o->kind[m] = (int)kind;
            npy_intp rows = n;
            o->columns[m] = PyArray_SimpleNew(1, &rows, kind < DATE ? NPY_OBJECT : NPY_INT64);
            if (o->columns[m] == NULL) {
                return -1;
            }
            if (kind >= DATE && (o->doubtful[m] = PyList_New(0)) == NULL) {
                return -1;
            }
        }
        o->codes = PyByteArray_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(int64_t));
        o->uniques = PyList_New(0);
        if (o->codes == NULL || o->uniques == NULL) {
            return -1;
        }
        o->code = (int64_t *)PyByteArray_AS_STRING(o->codes);
    }
    return 0;
}

static PyObject *walker_result(Walker *w) {
    PyObject *result = PyTuple_New(w->nobjects);
    if (result == NULL) {
        return NULL;
    }
    for (Py_ssize_t k = 0; k < w->nobjects; k++) {
        Object *o = &w->objects[k];
        PyObject *columns = PyTuple_New(o->nmembers);
        if (columns == NULL) {
            Py_DECREF(result);
            return NULL;
        }
        for (Py_ssize_t m = 0; m < o->nmembers; m++) {
            PyObject *column = o->columns[m];
            if (o->kind[m] >= DATE) {
                column = Py_BuildValue("(NN)", o->columns[m], o->doubtful[m]); /* takes both references */
                o->doubtful[m] = NULL;
                if (column == NULL) {
                    o->columns[m] = NULL;
                    Py_DECREF(columns);
                    Py_DECREF(result);
                    return NULL;
                }
            }
            PyTuple_SET_ITEM(columns, m, column); /* the tuple takes our reference */
            o->columns[m] = NULL;
        }
        PyObject *item = Py_BuildValue("(NOO)", columns, o->codes, o->uniques);
        if (item == NULL) {
            Py_DECREF(result);
            return NULL;
        }
        PyTuple_SET_ITEM(result, k, item);
    }
    return result;
}

PyDoc_STRVAR(walk_doc,
             "walk(records, spec, stand_ins, absent, listed) -> tuple of (columns, codes, uniques) per object\n\n"
             "The compiled walker: see certnb.frame.walk.");

static PyObject *walk(PyObject *module, PyObject *args) {
    PyObject *records, *spec, *stand_ins;
    Walker w;
    memset(&w, 0, sizeof(w));
    if (!PyArg_ParseTuple(args, "O!O!O!OO", &PyList_Type, &records, &PyTuple_Type, &spec, &PyTuple_Type,
                          &stand_ins, &w.absent, &w.listed_marker)) {
        return NULL;
    }
    if (PyTuple_GET_SIZE(stand_ins) != 3 || PyTuple_GET_SIZE(spec) < 1) {
        PyErr_SetString(PyExc_ValueError, "walk needs 3 stand-ins and at least the top-level object");
        return NULL;
    }
    for (int kind = SHAPE_NULL; kind <= SHAPE_OTHER; kind++) {
        w.stand_in[kind] = PyTuple_GET_ITEM(stand_ins, kind - SHAPE_NULL);
    }
    Py_ssize_t n = PyList_GET_SIZE(records);
    if (walker_init(&w, spec, n) < 0) {
        walker_free(&w);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *record = PyList_GET_ITEM(records, i);
        if (!PyDict_CheckExact(record)) {
            PyErr_SetString(Unsupported, "a record that is not a dict");
            walker_free(&w);
            return NULL;
        }
        if (walk_value(&w, 0, record, i) < 0) {
            walker_free(&w);
            return NULL;
        }
    }
    PyObject *result = walker_result(&w);
    walker_free(&w);
    return result;
}

static PyMethodDef methods[] = {
    {"walk", walk, METH_VARARGS, walk_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_walk", "The compiled twin of certnb.frame.walk.walk_python.", -1, methods,
};

PyMODINIT_FUNC PyInit__walk(void) {
    import_array();
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) {
        return NULL;
    }
    Unsupported = PyErr_NewException("certnb.frame._walk.Unsupported", PyExc_ValueError, NULL);
    if (Unsupported == NULL || PyModule_AddObjectRef(m, "Unsupported", Unsupported) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
