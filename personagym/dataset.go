package personagym

import (
	"bufio"
	"encoding/json"
	"os"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// writeDataset writes the items as eval's dataset, replacing the file only
// once it is complete, so a kill never leaves half a dataset behind.
func writeDataset(path string, reqs []*pb.ScoreRequest) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for _, r := range reqs {
		b, err := protojson.Marshal(r)
		if err != nil {
			f.Close()
			return err
		}
		line, _ := json.Marshal(map[string]json.RawMessage{"request": b})
		w.Write(append(line, '\n'))
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
