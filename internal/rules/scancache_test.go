package rules

import (
	"reflect"
	"testing"
)

func TestLicenseScansAreRememberedWithoutSharing(t *testing.T) {
	text := readLicense(t, "MIT.txt")
	want := scanLicenseText(text)
	first := scanLicense(text)
	first.ids[0] = "changed by a caller"
	if second := scanLicense(text); !reflect.DeepEqual(second, want) {
		t.Fatalf("remembered scan %+v, want %+v", second, want)
	}
	for i := range maxScans + 1 { // past the bound: emptied, still right
		scanLicense(text + string(rune('a'+i%26)) + string(rune('a'+i/26)))
	}
	if len(scans.m) > maxScans {
		t.Fatalf("%d scans remembered, more than %d", len(scans.m), maxScans)
	}
	if got := scanLicense(text); !reflect.DeepEqual(got, want) {
		t.Fatalf("after emptying: %+v", got)
	}
}
