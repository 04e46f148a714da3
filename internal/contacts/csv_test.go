package contacts

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/openteli/teli/internal/teli"
)

func TestParseCSV(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want Result
	}{
		{
			name: "spec aliases, trimmed values, custom columns",
			in: "Phone,First,Last,E-mail,Address,Zip,City,State,Company Name,Favourite Colour\n" +
				" (313) 731-6433 , Ann ,Lee,ann@example.com,1 Main St,48201,Detroit,MI,Acme,teal\n",
			want: Result{Contacts: []Contact{{Phone: ann, FirstName: "Ann", LastName: "Lee",
				Email: "ann@example.com", Company: "Acme", Fields: map[string]string{"address_line_1": "1 Main St",
					"zip_code": "48201", "city": "Detroit", "state": "MI", "favourite_colour": "teal"}}}},
		},
		{
			name: "other spellings of the standard columns",
			in: "MOBILE,firstname,lastname,street,postal_code,Unique ID,Do Not Call,Time Zone\n" +
				"3137316433,Ann,Lee,1 Main St,48201,u1,yes,America/Detroit\n" +
				"2485550101,Bob,Ray,,,u2,,\n",
			want: Result{Contacts: []Contact{
				{Phone: ann, FirstName: "Ann", LastName: "Lee", UniqueID: "u1", DoNotCall: true,
					Fields: map[string]string{"address_line_1": "1 Main St", "zip_code": "48201", "time_zone": "America/Detroit"}},
				{Phone: bob, FirstName: "Bob", LastName: "Ray", UniqueID: "u2"}}},
		},
		{
			name: "cell header",
			in:   "cell\n3137316433\n",
			want: Result{Contacts: []Contact{{Phone: ann}}},
		},
		{
			name: "semicolon delimiter with commas in values",
			in:   "phone_number;first_name;notes\n3137316433;Ann;likes a, b and c\n",
			want: Result{Contacts: []Contact{{Phone: ann, FirstName: "Ann", Fields: map[string]string{"notes": "likes a, b and c"}}}},
		},
		{
			name: "tab delimiter keeps empty cells in place",
			in:   "phone\tfirst_name\tlast_name\n3137316433\t\tLee\n",
			want: Result{Contacts: []Contact{{Phone: ann, LastName: "Lee"}}},
		},
		{
			name: "quoted cells: delimiters, quotes, line breaks, space after the comma",
			in: "phone,name,notes\n" +
				"\"+1 313 731 6433\",\"Lee, Ann\",\"said \"\"hi\"\"\nthen left\"\n" +
				"2485550101, \"Ray, Bob\",x\n",
			want: Result{Contacts: []Contact{
				{Phone: ann, Fields: map[string]string{"name": "Lee, Ann", "notes": "said \"hi\"\nthen left"}},
				{Phone: bob, Fields: map[string]string{"name": "Ray, Bob", "notes": "x"}}}},
		},
		{
			name: "byte-order mark and CRLF",
			in:   "\uFEFFPhone,First Name\r\n3137316433,Ann\r\n2485550101,Bob\r\n",
			want: Result{Contacts: []Contact{{Phone: ann, FirstName: "Ann"}, {Phone: bob, FirstName: "Bob"}}},
		},
		{
			name: "lone CR line ends",
			in:   "phone,first\r3137316433,Ann\r2485550101,Bob",
			want: Result{Contacts: []Contact{{Phone: ann, FirstName: "Ann"}, {Phone: bob, FirstName: "Bob"}}},
		},
		{
			name: "blank lines and all-blank rows are skipped and not counted",
			in:   "\n  \n,,\nphone,first\n\n3137316433,Ann\n , \n\n12,Bob\n,\n",
			want: Result{Contacts: []Contact{{Phone: ann, FirstName: "Ann"}}, Rejected: []Rejected{
				{Row: 2, Phone: "12", Reason: `"12" is not a phone number: include the country code, starting with +`}}},
		},
		{
			name: "missing, invalid and duplicate phones",
			in:   "phone,first\n,Ann\n+1313,Bob\n3137316433,Carl\n313.731.6433,Dan\n+13137316433,Eve\n",
			want: Result{Contacts: []Contact{{Phone: ann, FirstName: "Carl"}}, Rejected: []Rejected{
				{Row: 1, Reason: "phone_number is missing"},
				{Row: 2, Phone: "+1313", Reason: `"+1313" is not a phone number: too short`},
				{Row: 4, Phone: "313.731.6433", Reason: "duplicate of row 3"},
				{Row: 5, Phone: "+13137316433", Reason: "duplicate of row 3"}}},
		},
		{
			name: "ragged rows",
			in:   "phone,first,last\n3137316433,Ann\n2485550101,Bob,Ray,extra\n,,,\n,Dan\n+447911123456,Carl,Cox\n",
			want: Result{Contacts: []Contact{{Phone: carl, FirstName: "Carl", LastName: "Cox"}}, Rejected: []Rejected{
				{Row: 1, Phone: "3137316433", Reason: "row has 2 cells but the header has 3 columns"},
				{Row: 2, Phone: "2485550101", Reason: "row has 4 cells but the header has 3 columns"},
				{Row: 3, Reason: "row has 2 cells but the header has 3 columns"}}},
		},
		{
			name: "a malformed row is reported and reading goes on",
			in:   "phone,first\n3137316433,An\"n\n2485550101,Bob\n",
			want: Result{Contacts: []Contact{{Phone: bob, FirstName: "Bob"}}, Rejected: []Rejected{
				{Row: 1, Reason: `malformed CSV row: parse error on line 2, column 14: bare " in non-quoted-field`}}},
		},
		{
			name: "an unclosed quote swallows the rest of the file, and says so",
			in:   "phone,first\n\"3137316433,Ann\n2485550101,Bob\n",
			want: Result{Rejected: []Rejected{{Row: 1,
				Reason: "malformed CSV row: a quoted cell opened on line 2 is not closed properly, so lines 2 to 3 were read as one row"}}},
		},
		{
			name: "line numbers in reasons count the blank lines above the header",
			in:   "\n\nphone\n3137316433\"\n",
			want: Result{Rejected: []Rejected{{Row: 1,
				Reason: `malformed CSV row: parse error on line 4, column 11: bare " in non-quoted-field`}}},
		},
		{
			name: "several phone columns: exact name first, then the first non-empty; the rest kept",
			in:   "Mobile,Phone,Phone Number\n2485550101,,3137316433\n,+447911123456,\n",
			want: Result{Contacts: []Contact{
				{Phone: ann, Fields: map[string]string{"mobile": "2485550101"}},
				{Phone: carl}}},
		},
		{
			name: "nameless and repeated columns keep their values",
			in:   "phone,,Notes,notes\n3137316433,x,a,b\n",
			want: Result{Contacts: []Contact{{Phone: ann, Fields: map[string]string{"field_2": "x", "notes": "a", "notes_2": "b"}}}},
		},
		{
			name: "invalid do_not_call",
			in:   "phone,do_not_call\n3137316433,sometimes\n3137316433,NO\n",
			want: Result{Contacts: []Contact{{Phone: ann}}, Rejected: []Rejected{
				{Row: 1, Phone: "3137316433", Reason: `do_not_call must be true or false, not "sometimes"`}}},
		},
		{
			name: "rows past the cap are rejected, not dropped",
			in:   "phone\n3137316433\n\n12\n2485550101\n+447911123456\n3137316433\n",
			max:  3,
			want: Result{Contacts: []Contact{{Phone: ann}, {Phone: bob}}, Rejected: []Rejected{
				{Row: 2, Phone: "12", Reason: `"12" is not a phone number: include the country code, starting with +`},
				{Row: 4, Phone: "+447911123456", Reason: "over the limit of 3 rows per file"},
				{Row: 5, Phone: "3137316433", Reason: "over the limit of 3 rows per file"}}},
		},
		{
			name: "header only",
			in:   "phone,first\n",
			want: Result{},
		},
		{
			name: "header without a line end",
			in:   "phone",
			want: Result{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCSV(strings.NewReader(tt.in), CSVOptions{MaxRows: tt.max})
			if err != nil {
				t.Fatalf("ParseCSV: %v", err)
			}
			if !reflect.DeepEqual(withoutRows(got), tt.want) {
				t.Errorf("ParseCSV:\n got %#v\nwant %#v", got, tt.want)
			}
			checkResult(t, got, -1)
		})
	}
}

func TestParseCSVErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error // a sentinel, or nil for "some CodeInvalid error"
	}{
		{"empty file", "", ErrNoHeader},
		{"blank lines only", "\n\r\n  \n,,;\n", ErrNoHeader},
		{"byte-order mark only", "\uFEFF", ErrNoHeader},
		{"no phone column", "name,email\nAnn,a@b.c\n", ErrNoPhoneColumn},
		{"data without a header", "3137316433,Ann\n", ErrNoPhoneColumn},
		{"UTF-16 little endian", "\xff\xfep\x00h\x00o\x00n\x00e\x00", ErrUTF16},
		{"UTF-16 big endian", "\xfe\xff\x00p\x00h", ErrUTF16},
		{"xlsx workbook", "PK\x03\x04\x14\x00", ErrNotCSV},
		{"xls workbook", "\xd0\xcf\x11\xe0\xa1\xb1", ErrNotCSV},
		{"malformed header", "phone,na\"me\n3137316433,x\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCSV(strings.NewReader(tt.in), CSVOptions{})
			if err == nil {
				t.Fatalf("ParseCSV = %#v, want an error", got)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			if teli.CodeOf(err) != teli.CodeInvalid {
				t.Errorf("error %v has code %v, want CodeInvalid", err, teli.CodeOf(err))
			}
		})
	}
}

// TestParseCSVNotText: a cell with invalid UTF-8 or a NUL character refuses the whole file,
// naming the first such cell by its data row and column.
func TestParseCSVNotText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"Latin-1 name", "phone,First Name\n3137316433,Ann\n\n2485550101,Jos\xe9\n",
			"row 2, column first_name must be valid UTF-8 text without NUL characters"},
		{"NUL in a quoted cell", "phone;notes\r\n\"3137316433\";\"a\x00b\"\r\n",
			"row 1, column notes must be valid UTF-8 text without NUL characters"},
		{"NUL in an otherwise blank row", "phone,x\n,\x00\n3137316433,1\n",
			"row 1, column x must be valid UTF-8 text without NUL characters"},
		{"past the header's columns", "phone\n3137316433,\xff\n",
			"row 1, column 2 must be valid UTF-8 text without NUL characters"},
		{"header", "phone,Pr\xe9nom\n3137316433,Ann\n",
			"the CSV header, column 2 must be valid UTF-8 text without NUL characters"},
		{"UTF-16 without a byte-order mark", "p\x00h\x00o\x00n\x00e\x00\n\x00",
			"the CSV header, column 1 must be valid UTF-8 text without NUL characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCSV(strings.NewReader(tt.in), CSVOptions{})
			if err == nil || err.Error() != tt.want || teli.CodeOf(err) != teli.CodeInvalid {
				t.Fatalf("ParseCSV = %#v, %v; want the CodeInvalid error %q", got, err, tt.want)
			}
		})
	}
}

func TestErrNoPhoneColumnListsNames(t *testing.T) {
	for _, name := range []string{"phone_number", "phone", "mobile", "cell", "phonenumber", "mobile_phone", "cell_phone"} {
		if !strings.Contains(ErrNoPhoneColumn.Error(), name) {
			t.Errorf("%q does not name %s", ErrNoPhoneColumn, name)
		}
	}
}

func TestParseCSVReadError(t *testing.T) {
	boom := errors.New("connection reset")
	for _, before := range []string{"", "pho", "phone_number", "phone\n", "phone\n3137316433\n"} {
		r := io.MultiReader(strings.NewReader(before), iotest.ErrReader(boom))
		got, err := ParseCSV(r, CSVOptions{})
		if !errors.Is(err, boom) || teli.CodeOf(err) != teli.CodeInternal {
			t.Errorf("after %q: ParseCSV = %#v, %v; want an internal error wrapping %v", before, got, err, boom)
		}
	}
}

func TestDetectDelimiter(t *testing.T) {
	tests := []struct {
		line string
		want rune
	}{
		{"phone", ','},
		{"phone,name", ','},
		{"phone;name", ';'},
		{"phone\tname", '\t'},
		{"phone;name,with comma;x", ';'},
		{`"a,b,c";d`, ';'}, // delimiters inside quotes do not count
		{"a,b;c", ','},     // a tie goes to ','
		{"a;b\tc", ';'},
		{"a\tb\tc\td;e,f", '\t'},
	}
	for _, tt := range tests {
		if got := detectDelimiter([]byte(tt.line)); got != tt.want {
			t.Errorf("detectDelimiter(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

func TestParseCSVDefaultCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("phone\n")
	for i := range DefaultMaxRows + 2 {
		fmt.Fprintf(&b, "+1313%07d\n", i)
	}
	got, err := ParseCSV(strings.NewReader(b.String()), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Contacts) != DefaultMaxRows || len(got.Rejected) != 2 ||
		got.Rejected[0].Row != DefaultMaxRows+1 || got.Rejected[1].Reason != "over the limit of 100000 rows per file" {
		t.Errorf("%d contacts, rejected %+v", len(got.Contacts), got.Rejected)
	}
}
