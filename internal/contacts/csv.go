package contacts

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/openteli/teli/internal/teli"
)

// DefaultMaxRows is the row cap of one CSV file when CSVOptions.MaxRows is not set.
const DefaultMaxRows = 100000

// CSVOptions tunes ParseCSV.
type CSVOptions struct {
	// MaxRows caps the data rows of one file; each row beyond it is rejected with a reason rather
	// than dropped. 0 or less means DefaultMaxRows.
	MaxRows int
}

// Errors for a file ParseCSV cannot read at all. They are CodeInvalid domain errors whose text
// is meant for the caller; test for them with errors.Is.
var (
	// ErrNoHeader: the file is empty or holds only blank lines.
	ErrNoHeader = teli.Invalid("the CSV file is empty: its first row must name the columns")
	// ErrNoPhoneColumn: no header cell names a phone column.
	ErrNoPhoneColumn = teli.Invalid("the CSV header has no phone number column: name it phone_number, " +
		"phone, mobile, cell, phonenumber, mobile_phone or cell_phone " +
		"(any letter case; spaces or dashes may stand for underscores)")
	// ErrUTF16: the file starts with a UTF-16 byte-order mark (Excel's "Unicode text" export).
	ErrUTF16 = teli.Invalid("the CSV file is UTF-16 text: save it as CSV UTF-8")
	// ErrNotCSV: the file is a spreadsheet workbook (or another zip or OLE file), not text.
	ErrNotCSV = teli.Invalid("the file is not CSV text (an Excel workbook?): save it as CSV UTF-8")
)

// ParseCSV reads a CSV file whose first non-blank row names the columns, and turns each further
// row into a contact. It returns an error only when the file cannot be read at all (an I/O error,
// or one of ErrNoHeader, ErrNoPhoneColumn, ErrUTF16, ErrNotCSV, or a header row that is not valid
// CSV) or when a cell is not text (teli.IsText: invalid UTF-8, such as a file saved in another
// encoding, or a NUL character); every other problem with a data row is reported in
// Result.Rejected instead.
//
// A cell that is not text refuses the whole file, with teli.InvalidText naming the cell ("row 3,
// column first_name", or "the CSV header, column 2"): such bytes almost always mean the file is
// in another encoding, where importing the other rows, or the cell with its bytes replaced, would
// store names the caller never wrote.
//
// Header cells are canonicalised with FieldKey (trimmed, any case, a UTF-8 byte-order mark
// dropped, spaces and dashes read as underscores) and mapped through the spec's aliases:
// phone_number ← phone, mobile, cell (also phonenumber, mobile_phone, cell_phone); first_name ←
// firstname, first; last_name ← lastname, last; address_line_1 ← address, street; zip_code ← zip,
// postal_code; company ← company_name; email ← e_mail, email_address. Any other column is kept in
// Fields. Several columns for one field: see ParseJSON (first non-empty wins, column order).
//
// The delimiter (',', ';' or tab) is the one found most often, outside quotes, in the header
// line; ties go to ',' then ';'. Quoted cells, CRLF, LF and classic-Mac CR line ends are handled.
// Blank lines and rows whose cells are all blank are skipped and not counted. A row with more or
// fewer cells than the header, a row that is not valid CSV (a stray quote, say) and every row past
// the MaxRows cap is rejected with the reason.
func ParseCSV(r io.Reader, opts CSVOptions) (Result, error) {
	cr, l, err := openCSV(r)
	if err != nil {
		return Result{}, err
	}
	p := csvRows{l: l, maxRows: opts.MaxRows, col: newCollector()}
	if p.maxRows <= 0 {
		p.maxRows = DefaultMaxRows
	}
	for {
		before := cr.InputOffset()
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return p.col.res, nil
		}
		if pe := (*csv.ParseError)(nil); errors.As(err, &pe) {
			p.row++
			p.col.reject(p.row, "", malformedRow(pe))
			if cr.InputOffset() == before {
				return p.col.res, nil // never spin on an error that consumes nothing
			}
			continue
		}
		if err != nil {
			return Result{}, fmt.Errorf("reading the CSV file: %w", err)
		}
		if err := p.record(rec); err != nil {
			return Result{}, err
		}
	}
}

// openCSV prepares the reader and reads the header row.
func openCSV(r io.Reader) (*csv.Reader, *layout, error) {
	cr, err := newCSVReader(r)
	if err != nil {
		return nil, nil, err
	}
	header, err := cr.Read()
	var pe *csv.ParseError
	switch {
	case errors.Is(err, io.EOF):
		return nil, nil, ErrNoHeader // unreachable: newCSVReader found a non-blank line
	case errors.As(err, &pe):
		return nil, nil, teli.Invalid("the CSV header row is malformed: %v", pe)
	case err != nil:
		return nil, nil, fmt.Errorf("reading the CSV file: %w", err)
	}
	for i, name := range header {
		if !teli.IsText(name) {
			return nil, nil, teli.InvalidText(fmt.Sprintf("the CSV header, column %d", i+1))
		}
	}
	l := newLayout(header)
	if !l.hasPhone() {
		return nil, nil, ErrNoPhoneColumn
	}
	return cr, l, nil
}

// csvRows turns the data rows of one file into a Result.
type csvRows struct {
	l       *layout
	maxRows int
	row     int    // data rows seen so far
	cells   []cell // reused for every row
	col     *collector
}

// record handles one record the csv reader returned; its only error is a cell that is not text.
func (p *csvRows) record(rec []string) error {
	p.cells = p.cells[:0]
	blank := true
	for i, f := range rec {
		if !teli.IsText(f) {
			return teli.InvalidText(fmt.Sprintf("row %d, column %s", p.row+1, p.l.column(i)))
		}
		v := cleanValue(f)
		blank = blank && v == ""
		p.cells = append(p.cells, cell{text: v})
	}
	if blank {
		return nil // a spreadsheet's trailing ",,," rows are not data
	}
	p.row++
	switch cols := len(p.l.keys); {
	case p.row > p.maxRows:
		p.col.reject(p.row, p.l.rawPhone(p.cells), fmt.Sprintf("over the limit of %d rows per file", p.maxRows))
	case len(rec) != cols:
		p.col.reject(p.row, p.l.rawPhone(p.cells),
			fmt.Sprintf("row has %d cells but the header has %d columns", len(rec), cols))
	default:
		c, rawPhone, reason := p.l.build(p.cells)
		if reason != "" {
			p.col.reject(p.row, rawPhone, reason)
			return nil
		}
		p.col.add(p.row, rawPhone, c)
	}
	return nil
}

// malformedRow is the reason for a row the csv reader refuses. A quote that is never closed makes
// the reader take every following line into the row, so that case names the lines it spans.
func malformedRow(pe *csv.ParseError) string {
	if errors.Is(pe.Err, csv.ErrQuote) && pe.StartLine < pe.Line {
		return fmt.Sprintf("malformed CSV row: a quoted cell opened on line %d is not closed properly, "+
			"so lines %d to %d were read as one row", pe.StartLine, pe.StartLine, pe.Line)
	}
	return "malformed CSV row: " + pe.Error()
}

// newCSVReader sniffs the encoding, line ends and delimiter from the start of the input and
// returns a csv.Reader positioned before the header row.
func newCSVReader(r io.Reader) (*csv.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	start, err := br.Peek(4)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("reading the CSV file: %w", err)
	}
	switch {
	case bytes.HasPrefix(start, []byte{0xEF, 0xBB, 0xBF}):
		_, _ = br.Discard(3) // Excel's "CSV UTF-8" starts with a byte-order mark
	case bytes.HasPrefix(start, []byte{0xFF, 0xFE}), bytes.HasPrefix(start, []byte{0xFE, 0xFF}):
		return nil, ErrUTF16
	case bytes.HasPrefix(start, []byte("PK\x03\x04")), bytes.HasPrefix(start, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, ErrNotCSV
	}
	prefix, line, crOnly, err := readHeaderLine(br)
	if err != nil {
		return nil, fmt.Errorf("reading the CSV file: %w", err)
	}
	if line == nil {
		return nil, ErrNoHeader
	}
	var rest io.Reader = br
	if crOnly {
		rest = crToLF{br}
	}
	cr := csv.NewReader(io.MultiReader(bytes.NewReader(prefix), rest))
	cr.Comma = detectDelimiter(line)
	cr.FieldsPerRecord = -1 // ragged rows are rejected one by one, not as a read error
	cr.ReuseRecord = true
	// Tolerate `a, "b"`. Not with tabs: the reader would swallow the tab of an empty cell.
	cr.TrimLeadingSpace = cr.Comma != '\t'
	return cr, nil
}

// readHeaderLine consumes the input up to the end of the first non-blank line (a line end inside
// quotes does not count). It returns the bytes the csv reader must see first: a bare "\n" for each
// blank line skipped (so its line numbers stay those of the file), then the header line ending in
// "\n". line is the header line alone, nil when the input has none. crOnly reports lines that end
// in a lone CR (old Mac exports), which the csv reader does not treat as line ends.
func readHeaderLine(br *bufio.Reader) (prefix, line []byte, crOnly bool, err error) {
	var cur []byte
	inQuotes := false
	for {
		b, err := br.ReadByte()
		if errors.Is(err, io.EOF) {
			if isBlankLine(cur) {
				return prefix, nil, crOnly, nil
			}
			return append(append(prefix, cur...), '\n'), cur, crOnly, nil
		}
		if err != nil {
			return nil, nil, false, err
		}
		if b == '"' {
			inQuotes = !inQuotes
		}
		if inQuotes || (b != '\n' && b != '\r') {
			cur = append(cur, b)
			continue
		}
		if b == '\r' {
			if next, err := br.Peek(1); err == nil && next[0] == '\n' {
				_, _ = br.Discard(1)
			} else {
				crOnly = true
			}
		}
		if isBlankLine(cur) {
			prefix = append(prefix, '\n')
			cur = cur[:0]
			continue
		}
		return append(append(prefix, cur...), '\n'), cur, crOnly, nil
	}
}

// isBlankLine reports whether a line before the header holds no names: only spaces, delimiters
// and quotes, as in the ",,," rows a spreadsheet leaves above a table.
func isBlankLine(b []byte) bool {
	return len(bytes.Trim(b, " \t\v\f,;\"")) == 0
}

// detectDelimiter picks the delimiter found most often outside quotes in the header line.
func detectDelimiter(line []byte) rune {
	counts := map[byte]int{}
	inQuotes := false
	for _, b := range line {
		switch {
		case b == '"':
			inQuotes = !inQuotes
		case !inQuotes && strings.IndexByte(",;\t", b) >= 0:
			counts[b]++
		}
	}
	best := byte(',')
	for _, d := range []byte{';', '\t'} {
		if counts[d] > counts[best] {
			best = d
		}
	}
	return rune(best)
}

// crToLF turns every CR into LF, for files whose lines end in a lone CR.
type crToLF struct{ r io.Reader }

func (c crToLF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}
